"""Numbers a person reads: a REAL column's value comes back rounded, through the one shared type."""

import pytest
from momentum.fitness import models as fitness
from momentum.learn.models import DrillStats
from momentum.market.models import Recommendation
from momentum.models import Real
from pydantic import BaseModel, TypeAdapter

# Every response field that shows a REAL column (schema-part2: weight, value, previous_value, intensity_modifier,
# score, average_score) or a sum of them (volume).
REAL_FIELDS = [
    (fitness.WorkoutExercise, "weight"),
    (fitness.ExerciseSet, "weight"),
    (fitness.PersonalRecord, "value"),
    (fitness.PersonalRecord, "previous_value"),
    (fitness.RecordHistoryEntry, "value"),
    (fitness.RecordHistoryEntry, "previous_value"),
    (fitness.CurrentRecord, "value"),
    (fitness.CurrentRecord, "previous_value"),
    (fitness.SessionSummary, "volume"),
    (fitness.WeekStats, "volume"),
    (fitness.MuscleGroupStats, "volume"),
    (fitness.ProgramWorkout, "intensity_modifier"),
    (fitness.ScheduledWorkout, "intensity_modifier"),
    (Recommendation, "score"),
    (DrillStats, "average_score"),
]


def test_real_rounds_to_two_decimals():
    adapter = TypeAdapter(Real)
    assert adapter.validate_python(116.66666412353516) == 116.67  # the REAL 116.666664 as the driver reads it
    assert adapter.validate_python(100.0) == 100.0
    assert TypeAdapter(Real | None).validate_python(None) is None


@pytest.mark.parametrize(("model", "name"), REAL_FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_response_fields_of_real_columns_are_rounded(model: type[BaseModel], name: str):
    built = model.__pydantic_validator__.validate_assignment(model.model_construct(), name, 116.666664)
    assert getattr(built, name) == 116.67
