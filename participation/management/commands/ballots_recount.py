"""Count every ballot again from its stored votes and compare with the totals it shows.

For a ballot whose results are published, the recount (participation.voting.
recount: vote by vote, in Python) must equal the published totals; for the
others, the live totals (the database's aggregate, as the results pages
count). One line per ballot, then each difference by item, and each stored
vote that breaks the ballot's method. Exits with status 1 when any ballot
differs or holds such a vote. It only reads: a closed ballot whose results
nobody has asked for yet is compared with its live totals, not published.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participation import voting
from participation.models import Ballot, BallotItem


def compare(ballot: Ballot) -> tuple[str, list[str]]:
    """What the ballot shows, against the recount: (what was compared, one line per difference or broken vote)."""
    counted = voting.recount(ballot)
    if ballot.published_totals is not None:
        shown = {int(pk): int(total) for pk, total in ballot.published_totals.get("items", {}).items()}
        shown_voters = int(ballot.published_totals.get("voters", 0))
        against = _("the published totals")
        label = _("published")
    else:
        shown, shown_voters = voting.live_tally(ballot)
        against = _("the live totals")
        label = _("live")
    problems = []
    if shown_voters != counted["voters"]:
        problems.append(
            _("votes: %(label)s %(shown)d, recounted %(counted)d")
            % {"label": label, "shown": shown_voters, "counted": counted["voters"]}
        )
    names = {item.pk: str(item) for item in BallotItem.objects.filter(ballot=ballot).prefetch_related("subject")}
    for item_id in sorted(set(shown) | set(counted["items"])):
        shown_total, counted_total = shown.get(item_id, 0), counted["items"].get(item_id, 0)
        if shown_total != counted_total:
            problems.append(
                _("item %(item)d “%(name)s”: %(label)s %(shown)d, recounted %(counted)d")
                % {
                    "item": item_id,
                    "name": names.get(item_id, _("not on this ballot")),
                    "label": label,
                    "shown": shown_total,
                    "counted": counted_total,
                }
            )
    problems.extend(counted["broken"])
    return against, problems


class Command(BaseCommand):
    help = "Recount every ballot (or one) from its stored votes; exit 1 if any differs from its published totals."

    def add_arguments(self, parser):
        parser.add_argument("--ballot", type=int, help="the id of the one ballot to recount")
        parser.add_argument("--language", default="en", help="language of the messages: kk, ru or en")

    def handle(self, *args, ballot=None, language="en", **options):
        with translation.override(language):
            ballots = Ballot.objects.order_by("pk")
            if ballot is not None:
                ballots = ballots.filter(pk=ballot)
                if not ballots.exists():
                    raise CommandError(_("There is no ballot %(id)d.") % {"id": ballot})
            differing = 0
            for each in ballots:
                against, problems = compare(each)
                votes = each.votes.count()
                head = ngettext(
                    "Ballot %(id)d “%(title)s”: %(count)d vote",
                    "Ballot %(id)d “%(title)s”: %(count)d votes",
                    votes,
                ) % {"id": each.pk, "title": each.title, "count": votes}
                if not problems:
                    self.stdout.write(
                        _("%(ballot)s, recount matches %(against)s.") % {"ballot": head, "against": against}
                    )
                    continue
                differing += 1
                self.stdout.write(
                    self.style.ERROR(
                        _("%(ballot)s, recount DIFFERS from %(against)s:") % {"ballot": head, "against": against}
                    )
                )
                for problem in problems:
                    self.stdout.write(f"  {problem}")
            if differing:
                raise CommandError(
                    ngettext(
                        "%(count)d ballot does not match its recount.",
                        "%(count)d ballots do not match their recount.",
                        differing,
                    )
                    % {"count": differing}
                )
