"""The sequential verdicts in words (review/sequential.py): the sentence and what an update changed."""

import metaevidence as me
from metaevidence.review.sequential import sequential_changes, verdict_sentence, verdict_text


def test_verdict_sentences():
    early = me.trial_sequential_analysis([-2.3, -2.5], [400, 900], required_information=6428.0)
    assert verdict_text(early) == (
        "Not yet firm: no monitoring boundary crossed; 14% of the required information size reached, "
        "about 5,528 more participants needed."
    )
    assert verdict_sentence("benefit", 0, 0.62).startswith("Firm evidence of benefit: the cumulative Z curve")
    assert "62% of the required" in verdict_sentence("harm", 0, 0.62)
    assert verdict_sentence("futility", 0, 1.0).startswith(
        "Firm evidence of no effect of the anticipated size"
    )


def _doc(verdict, z, boundary, fraction=0.5):
    return {
        "sequential": {
            "current": {"z": z, "boundary": boundary, "fraction": fraction},
            "information_size": {"required": 6428.0},
            "verdict": verdict,
            "information_needed": 3214.0,
        }
    }


def test_changes_for_diff():
    assert sequential_changes(None, {}) == ()
    (cross,) = sequential_changes(_doc("not-yet", -1.5, 2.8), _doc("benefit", -3.1, 2.6))
    assert cross.startswith("this update crosses the monitoring boundary: firm evidence of benefit")
    assert "before this update: not yet firm evidence" in cross
    (same,) = sequential_changes(_doc("not-yet", -1.5, 2.8), _doc("not-yet", -1.7, 2.7))
    assert same.startswith("unchanged: not yet firm evidence") and "about 3,214 more participants" in same
    (back,) = sequential_changes(_doc("benefit", -3.1, 2.6), _doc("not-yet", -1.9, 2.5))
    assert back.startswith("the cumulative Z curve is back inside the monitoring boundaries")
