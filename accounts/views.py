from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import services
from accounts.forms import DUPLICATE_EMAIL, EmailPasswordResetForm, LoginForm, SignUpForm


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST) if request.method == "POST" else SignUpForm()
    if form.is_valid():
        try:
            user = services.sign_up(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
                request=request,
            )
        except services.EmailAlreadyRegistered:
            form.add_error("email", DUPLICATE_EMAIL)
        else:
            login(request, user)
            return redirect("accounts:confirmation_sent")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
@require_safe
def confirmation_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/confirmation_sent.html", {"max_age_days": services.CONFIRMATION_MAX_AGE.days})


@require_safe
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        confirmed_user = services.confirm_email(token)
    except services.ConfirmationLinkInvalid as error:
        context = {
            "expired": isinstance(error, services.ConfirmationLinkExpired),
            "max_age_days": services.CONFIRMATION_MAX_AGE.days,
        }
        # 200, not 400: the page is an answer the visitor can act on (ask for a new link),
        # and browsers log a 4xx document as a console error.
        return render(request, "accounts/confirm_failed.html", context)
    return render(request, "accounts/confirm_done.html", {"confirmed_user": confirmed_user})


@login_required
@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    if request.user.email_confirmed:
        messages.info(request, _("Your e-mail address is already confirmed."))
    else:
        services.send_confirmation(request.user, request=request)
        messages.success(request, _("We sent a new link to %(email)s.") % {"email": request.user.email})
    return redirect("accounts:confirmation_sent")


login_view = auth_views.LoginView.as_view(
    template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
)
logout_view = auth_views.LogoutView.as_view()

password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset_form.html",
    form_class=EmailPasswordResetForm,
    subject_template_name="accounts/email/password_reset_subject.txt",
    email_template_name="accounts/email/password_reset_body.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
    extra_email_context={"valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600)},
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change_form.html", success_url=reverse_lazy("accounts:password_change_done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; opening the mailed link also proves the e-mail address, so it counts as confirmed."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.mark_email_confirmed(form.user)
        return response


password_reset_confirm = PasswordResetConfirmView.as_view()
