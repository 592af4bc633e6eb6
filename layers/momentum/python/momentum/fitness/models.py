"""Request and response models of the fitness domain, and its vocabularies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from momentum.models import (
    Difficulty,
    LongText,
    Name,
    PageQuery,
    PatchModel,
    QueryModel,
    Real,
    RequestModel,
    ResponseModel,
    ShortText,
    Url,
    resolution,
)

Category = Literal["strength", "cardio", "flexibility"]
SectionType = Literal["warmup", "main", "cooldown"]
RecordType = Literal["weight", "reps", "volume", "duration", "e1rm"]

# Fixed vocabularies, so filters and the per-muscle-group stats add up (a free-text "Chest" and "chest " would not).
MuscleGroup = Literal[
    "chest",
    "upper_back",
    "lats",
    "traps",
    "lower_back",
    "shoulders",
    "biceps",
    "triceps",
    "forearms",
    "abs",
    "obliques",
    "glutes",
    "quadriceps",
    "hamstrings",
    "calves",
    "adductors",
    "abductors",
    "hip_flexors",
    "neck",
    "full_body",
    "cardiovascular",
]
Equipment = Literal[
    "barbell",
    "dumbbell",
    "kettlebell",
    "machine",
    "cable",
    "bodyweight",
    "bench",
    "pull_up_bar",
    "dip_station",
    "resistance_band",
    "ez_bar",
    "trap_bar",
    "smith_machine",
    "medicine_ball",
    "plate",
    "box",
    "jump_rope",
    "mat",
    "foam_roller",
    "treadmill",
    "stationary_bike",
    "rowing_machine",
    "elliptical",
    "stair_climber",
    "sled",
    "rings",
]

# Bounds on what a person can plausibly log; beyond them a value is a typo, not a set.
MAX_WEIGHT = 2_000.0  # kg or lb, the client's unit: the world deadlift record is ~500 kg
MAX_REPS = 10_000
MAX_DURATION = 86_400  # seconds
# REAL columns: a weight is 0 (body weight) or at least 10 g; finer values are typos, and below ~1e-38 PostgreSQL's
# REAL cannot store them at all.
Weight = Annotated[
    float,
    Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False, description="In the client's unit: 0, or 0.01 to 2000"),
    resolution(0.01),
]
Reps = Annotated[int, Field(ge=0, le=MAX_REPS)]
Duration = Annotated[int, Field(ge=0, le=MAX_DURATION)]
Rpe = Annotated[int, Field(ge=1, le=10)]
Notes = Annotated[str, StringConstraints(max_length=2_000)]


# ---------------------------------------------------------------- exercises


class ExerciseQuery(PageQuery):
    category: Category | None = None
    muscle_group: MuscleGroup | None = None
    equipment: Equipment | None = None
    q: str | None = Field(default=None, min_length=1, max_length=100, description="Name contains (any case)")
    source: Literal["builtin", "custom"] | None = None


class ExerciseIn(RequestModel):
    name: Name
    description: LongText | None = None
    category: Category
    muscle_groups: list[MuscleGroup] = Field(default_factory=list, max_length=8)
    equipment: list[Equipment] = Field(default_factory=list, max_length=8)
    instructions: LongText | None = None
    video_url: Url | None = None


class ExercisePatch(PatchModel):
    """Only the fields sent change; null clears an optional field."""

    not_null = frozenset({"name", "category", "muscle_groups", "equipment"})

    name: Name | None = None
    description: LongText | None = None
    category: Category | None = None
    muscle_groups: list[MuscleGroup] | None = Field(default=None, max_length=8)
    equipment: list[Equipment] | None = Field(default=None, max_length=8)
    instructions: LongText | None = None
    video_url: Url | None = None


class Exercise(ResponseModel):
    id: UUID
    name: str
    description: str | None
    category: str
    muscle_groups: list[str]
    equipment: list[str]
    instructions: str | None
    video_url: str | None
    is_custom: bool
    is_builtin: bool
    created_at: datetime


# ---------------------------------------------------------------- workouts


class WorkoutExerciseIn(RequestModel):
    exercise_id: UUID
    sets: int | None = Field(default=None, ge=1, le=100)
    reps: int | None = Field(default=None, ge=1, le=MAX_REPS)
    weight: Weight | None = None
    duration: Duration | None = None
    rest_seconds: int | None = Field(default=60, ge=0, le=3_600)
    notes: Notes | None = None


class SectionIn(RequestModel):
    name: Name
    section_type: SectionType = "main"
    exercises: list[WorkoutExerciseIn] = Field(default_factory=list, max_length=50)


class WorkoutIn(RequestModel):
    """A whole workout: created and replaced as one document. Order in the lists is the order shown."""

    name: Name
    description: LongText | None = None
    estimated_duration: int | None = Field(default=None, ge=1, le=1_440, description="Minutes")
    difficulty: Difficulty = "intermediate"
    category: ShortText | None = None
    is_template: bool = False
    is_public: bool = False
    sections: list[SectionIn] = Field(default_factory=list, max_length=20)


class WorkoutQuery(PageQuery):
    visibility: Literal["mine", "public"] = Field(default="mine", description="mine, or everyone's public workouts")
    is_template: bool | None = None
    q: str | None = Field(default=None, min_length=1, max_length=100)


class WorkoutExercise(ResponseModel):
    id: UUID
    exercise_id: UUID
    exercise_name: str
    category: str
    sets: int | None
    reps: int | None
    weight: Real | None
    duration: int | None
    rest_seconds: int | None
    notes: str | None
    sort_order: int


class Section(ResponseModel):
    id: UUID
    name: str
    section_type: SectionType | None
    sort_order: int
    exercises: list[WorkoutExercise]


class WorkoutSummary(ResponseModel):
    id: UUID
    user_id: UUID
    name: str
    description: str | None
    estimated_duration: int | None
    difficulty: Difficulty | None
    category: str | None
    is_template: bool
    is_public: bool
    exercise_count: int
    created_at: datetime
    updated_at: datetime


class Workout(WorkoutSummary):
    sections: list[Section]


# ---------------------------------------------------------------- sessions and sets


class SessionIn(RequestModel):
    workout_id: UUID | None = Field(default=None, description="Start from a workout you can see")
    notes: Notes | None = None


class CompleteIn(RequestModel):
    notes: Notes | None = None
    rating: int | None = Field(default=None, ge=1, le=5)


class SessionQuery(PageQuery):
    status: Literal["active", "completed"] | None = None


class SetIn(RequestModel):
    exercise_id: UUID
    reps: Reps | None = None
    weight: Weight | None = None
    duration: Duration | None = Field(default=None, description="Seconds")
    is_warmup: bool = False
    is_dropset: bool = False
    rpe: Rpe | None = Field(default=None, description="Rate of perceived exertion, 1-10")
    notes: Notes | None = None

    @model_validator(mode="after")
    def _reps_or_duration(self) -> SetIn:
        if self.reps is None and self.duration is None:
            raise ValueError("a set needs reps or a duration")
        return self


class SetPatch(PatchModel):
    """Only the fields sent change; null clears reps, weight, duration, rpe or notes."""

    not_null = frozenset({"exercise_id", "is_warmup", "is_dropset"})

    exercise_id: UUID | None = None
    reps: Reps | None = None
    weight: Weight | None = None
    duration: Duration | None = None
    is_warmup: bool | None = None
    is_dropset: bool | None = None
    rpe: Rpe | None = None
    notes: Notes | None = None


class ExerciseSet(ResponseModel):
    id: UUID
    session_id: UUID
    exercise_id: UUID
    set_number: int
    reps: int | None
    weight: Real | None
    duration: int | None
    is_warmup: bool
    is_dropset: bool
    rpe: int | None
    notes: str | None
    completed_at: datetime


class PersonalRecord(ResponseModel):
    id: UUID
    exercise_id: UUID
    record_type: RecordType
    value: Real
    reps: int | None
    achieved_at: datetime
    exercise_set_id: UUID | None
    previous_value: Real | None


class LoggedSet(ResponseModel):
    set: ExerciseSet
    records: list[PersonalRecord] = Field(description="The personal records this set holds (new ones when logged)")


class SessionExercise(ResponseModel):
    exercise_id: UUID
    exercise_name: str
    category: str
    sets: list[ExerciseSet]
    records: list[PersonalRecord]


class SessionSummary(ResponseModel):
    id: UUID
    workout_id: UUID | None
    workout_name: str | None
    started_at: datetime
    completed_at: datetime | None
    duration_seconds: int | None
    notes: str | None
    rating: int | None
    xp_awarded: int
    coins_awarded: int
    set_count: int
    working_set_count: int
    volume: Real


class LastSet(ResponseModel):
    set_number: int
    reps: int | None
    weight: Real | None
    duration: int | None
    is_warmup: bool


class LastTime(ResponseModel):
    """What the person did in an exercise the last time, as lifting apps show it next to the target."""

    session_id: UUID
    started_at: datetime
    sets: list[LastSet]


class PlannedExercise(ResponseModel):
    """An exercise the session's workout plans, with its targets and what the person did in it last time."""

    exercise_id: UUID
    exercise_name: str
    category: str
    section_name: str | None
    sets: int | None
    reps: int | None
    weight: Real | None
    duration: int | None
    rest_seconds: int | None
    notes: str | None
    last_time: LastTime | None


class Session(SessionSummary):
    exercises: list[SessionExercise]
    plan: list[PlannedExercise] = Field(
        default_factory=list, description="The workout's exercises and targets, in order (empty without a workout)"
    )


# ---------------------------------------------------------------- records and stats


class RecordQuery(PageQuery):
    exercise_id: UUID | None = None
    history: int = Field(default=10, ge=0, le=100, description="Earlier records shown per type, newest first")


class RecordHistoryEntry(ResponseModel):
    value: Real
    reps: int | None
    achieved_at: datetime
    exercise_set_id: UUID | None
    previous_value: Real | None


class CurrentRecord(ResponseModel):
    record_type: RecordType
    value: Real
    reps: int | None
    achieved_at: datetime
    exercise_set_id: UUID | None
    previous_value: Real | None
    history: list[RecordHistoryEntry] = Field(description="Earlier records of this type, newest first")


class ExerciseRecords(ResponseModel):
    exercise_id: UUID
    exercise_name: str
    records: list[CurrentRecord]


class StatsQuery(QueryModel):
    weeks: int = Field(default=12, ge=1, le=104, description="ISO weeks back, counting the current one")


class WeekStats(ResponseModel):
    week_start: date  # the Monday (UTC) of the ISO week
    iso_year: int
    iso_week: int
    sessions: int
    working_sets: int
    volume: Real


class MuscleGroupStats(ResponseModel):
    muscle_group: str
    working_sets: int
    volume: Real


class Stats(ResponseModel):
    weeks: list[WeekStats]
    muscle_groups: list[MuscleGroupStats]


# ---------------------------------------------------------------- programs


class ProgramWorkoutIn(RequestModel):
    workout_id: UUID
    day_of_week: int = Field(ge=0, le=6, description="0 = Sunday … 6 = Saturday")
    order_index: int = Field(default=0, ge=0, le=20)
    intensity_modifier: float = Field(
        default=1.0, ge=0.1, le=2.0, allow_inf_nan=False, description="Scales the workout's target weights (0.1 to 2)"
    )


class ProgramWeekIn(RequestModel):
    week_number: int = Field(ge=1, le=104)
    name: ShortText | None = None
    is_deload: bool = False
    notes: Notes | None = None
    workouts: list[ProgramWorkoutIn] = Field(default_factory=list, max_length=30)

    @model_validator(mode="after")
    def _one_workout_per_slot(self) -> ProgramWeekIn:
        slots = [(w.day_of_week, w.order_index) for w in self.workouts]
        if len(slots) != len(set(slots)):
            raise ValueError("two workouts share a day_of_week and order_index")
        return self


class ProgramIn(RequestModel):
    """A whole program: created and replaced as one document. Weeks left out are rest weeks."""

    name: Name
    description: LongText | None = None
    duration_weeks: int = Field(ge=1, le=104)
    goal: ShortText | None = None
    difficulty: Difficulty = "intermediate"
    weeks: list[ProgramWeekIn] = Field(default_factory=list, max_length=104)

    @model_validator(mode="after")
    def _weeks_fit_the_program(self) -> ProgramIn:
        numbers = [w.week_number for w in self.weeks]
        if len(numbers) != len(set(numbers)):
            raise ValueError("week_number values must be distinct")
        if any(n > self.duration_weeks for n in numbers):
            raise ValueError("a week_number is beyond duration_weeks")
        return self


class ProgramWorkout(ResponseModel):
    id: UUID
    workout_id: UUID
    workout_name: str
    day_of_week: int
    order_index: int
    intensity_modifier: Real


class ProgramWeek(ResponseModel):
    id: UUID
    week_number: int
    name: str | None
    is_deload: bool
    notes: str | None
    workouts: list[ProgramWorkout]


class ProgramSummary(ResponseModel):
    id: UUID
    name: str
    description: str | None
    duration_weeks: int
    goal: str | None
    difficulty: Difficulty | None
    is_active: bool
    current_week: int
    started_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class Program(ProgramSummary):
    weeks: list[ProgramWeek]


class TodayQuery(QueryModel):
    day_of_week: int | None = Field(
        default=None, ge=0, le=6, description="The client's local weekday (0 = Sunday); default: today in UTC"
    )


class ScheduledWorkout(ResponseModel):
    program_workout_id: UUID
    order_index: int
    intensity_modifier: Real
    workout: Workout = Field(description="Target weights already scaled by the intensity modifier")


class Today(ResponseModel):
    day_of_week: int
    program: ProgramSummary | None = Field(description="The active program, or null when none is active")
    week_number: int | None
    week_name: str | None
    is_deload: bool | None
    workouts: list[ScheduledWorkout]
