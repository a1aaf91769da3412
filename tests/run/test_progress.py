"""The progress line measures the budget that ends a run by default: seconds when no step budget is given."""

from pdedsl.run._defaults import UNLIMITED_STEPS
from pdedsl.run._progress import make_reporter


def _reporter(total, time_limit):
    return make_reporter(False, total=total, start=0, problem="p", optimizer="amstramgram", device="cpu",
                         time_limit=time_limit)


def test_without_a_step_budget_the_bar_fills_with_the_seconds_of_the_time_budget():
    live = _reporter(UNLIMITED_STEPS, 300.0)
    with live:
        live.update(7, {"loss": 0.5}, 12.5)
    task = live.progress.tasks[0]
    assert live.by_time and task.total == 300.0 and task.completed == 12.5
    assert task.fields["stats"].startswith("step 7  loss 5.000e-01")


def test_with_a_step_budget_the_bar_counts_steps():
    live = _reporter(40, 300.0)
    with live:
        live.update(7, {"loss": 0.5}, 12.5)
    task = live.progress.tasks[0]
    assert not live.by_time and task.total == 40 and task.completed == 7
    assert task.fields["stats"] == "loss 5.000e-01"
