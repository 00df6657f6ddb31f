"""factory_boy factories for the suite."""

import factory
from django.utils import timezone

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a confirmed e-mail; ``role=`` puts them in that role's group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password-42")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            from accounts.roles import assign_role

            assign_role(self, extracted)
        if create:
            self.save()
