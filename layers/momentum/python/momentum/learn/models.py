"""Request and response models of the learn domain: quizzes and drill configurations as authored, what a learner
sees of them (never the answers), and the results of grading."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from momentum.models import (
    LongText,
    Name,
    PageQuery,
    PatchModel,
    QueryModel,
    Real,
    RequestModel,
    ResponseModel,
    ShortText,
)

Difficulty = Literal["beginner", "intermediate", "advanced"]
DrillType = Literal["quiz", "flashcard", "practice"]
Grade = Literal["again", "hard", "good", "easy"]
Key = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
Option = Annotated[str, Field(min_length=1, max_length=200)]
Markdown = Annotated[str, Field(max_length=100_000)]


# ---------------------------------------------------------------- quizzes as authored (with their answers)


class _Question(RequestModel):
    id: Key
    prompt: Annotated[str, Field(min_length=1, max_length=1000)]
    explanation: LongText | None = None


class SingleChoice(_Question):
    type: Literal["single"]
    options: Annotated[list[Option], Field(min_length=2, max_length=8)]
    answer: Option

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> SingleChoice:
        _distinct(self.options)
        if self.answer not in self.options:
            raise ValueError(f"question {self.id}: the answer is not one of its options")
        return self


class MultipleChoice(_Question):
    type: Literal["multiple"]
    options: Annotated[list[Option], Field(min_length=2, max_length=8)]
    answer: Annotated[list[Option], Field(min_length=1, max_length=8)]

    @model_validator(mode="after")
    def _answers_are_options(self) -> MultipleChoice:
        _distinct(self.options)
        _distinct(self.answer)
        if not set(self.answer) <= set(self.options):
            raise ValueError(f"question {self.id}: every answer must be one of its options")
        return self


class TrueFalse(_Question):
    type: Literal["true_false"]
    answer: bool


class Numeric(_Question):
    type: Literal["numeric"]
    answer: float
    tolerance: float = Field(default=0, ge=0)
    unit: Annotated[str, Field(max_length=20)] | None = None


def _distinct(values: list[str]) -> None:
    if len(set(values)) != len(values):
        raise ValueError("options must be distinct")


Question = Annotated[SingleChoice | MultipleChoice | TrueFalse | Numeric, Field(discriminator="type")]


class Quiz(RequestModel):
    questions: Annotated[list[Question], Field(min_length=5, max_length=10)]

    @model_validator(mode="after")
    def _ids_are_unique(self) -> Quiz:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError("question ids must be unique")
        return self


# ---------------------------------------------------------------- drill configurations (generator parameters)

Midi = Annotated[int, Field(ge=21, le=108)]  # the piano's range, A0 to C8
ChordQuality = Literal["major", "minor", "diminished", "augmented", "sus2", "sus4", "dominant7", "major7", "minor7"]
OctaveBand = Literal[31, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000]
Items = Annotated[int, Field(ge=1, le=20)]


class _DrillConfig(RequestModel):
    items: Items = 10

    @model_validator(mode="after")
    def _range_is_ordered(self) -> _DrillConfig:
        low, high = getattr(self, "low", None), getattr(self, "high", None)
        if low is not None and high is not None and low > high:
            raise ValueError("low must not be above high")
        return self


class IntervalConfig(_DrillConfig):
    generator: Literal["interval"]
    intervals: Annotated[list[Annotated[int, Field(ge=1, le=12)]], Field(min_length=2, max_length=12)]
    direction: Literal["ascending", "descending", "harmonic"] = "ascending"
    low: Midi = 48
    high: Midi = 72
    note_ms: Annotated[int, Field(ge=200, le=4000)] = 900


class ChordConfig(_DrillConfig):
    generator: Literal["chord_quality"]
    qualities: Annotated[list[ChordQuality], Field(min_length=2, max_length=9)]
    inversions: bool = False
    low: Midi = 48
    high: Midi = 64
    duration_ms: Annotated[int, Field(ge=300, le=6000)] = 1800


class NoteNameConfig(_DrillConfig):
    generator: Literal["note_name"]
    clef: Literal["treble", "bass"] = "treble"
    accidentals: bool = False


class BpmTapConfig(_DrillConfig):
    generator: Literal["bpm_tap"]
    items: Items = 3
    low: Annotated[int, Field(ge=40, le=240)] = 70
    high: Annotated[int, Field(ge=40, le=240)] = 160
    clicks: Annotated[int, Field(ge=4, le=16)] = 8
    min_taps: Annotated[int, Field(ge=4, le=32)] = 8
    tolerance_pct: Annotated[float, Field(gt=0, le=20)] = 4.0


class EqBandConfig(_DrillConfig):
    generator: Literal["eq_band"]
    bands: Annotated[list[OctaveBand], Field(min_length=2, max_length=10)]
    gain_db: Annotated[float, Field(ge=3, le=18)] = 9.0
    q: Annotated[float, Field(ge=0.3, le=10)] = 1.4
    source: Literal["pink_noise", "drum_loop", "full_mix"] = "pink_noise"
    duration_ms: Annotated[int, Field(ge=1000, le=10_000)] = 3000


class KeySignatureConfig(_DrillConfig):
    generator: Literal["key_signature"]
    modes: Annotated[list[Literal["major", "minor"]], Field(min_length=1, max_length=2)] = ["major"]
    max_accidentals: Annotated[int, Field(ge=1, le=7)] = 7
    ask: Literal["name_the_key", "count_accidentals", "mixed"] = "mixed"


DrillConfig = Annotated[
    IntervalConfig | ChordConfig | NoteNameConfig | BpmTapConfig | EqBandConfig | KeySignatureConfig,
    Field(discriminator="generator"),
]


# ---------------------------------------------------------------- admin bodies


class TopicIn(RequestModel):
    key: Key
    name: Name
    description: LongText | None = None
    category: Annotated[str, Field(min_length=1, max_length=50)]
    icon: ShortText | None = None
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None
    sort_order: int = Field(default=0, ge=0, le=100_000)
    is_active: bool = True


class TopicPatch(PatchModel):
    not_null = frozenset({"name", "category", "sort_order", "is_active"})

    name: Name | None = None
    description: LongText | None = None
    category: Annotated[str, Field(min_length=1, max_length=50)] | None = None
    icon: ShortText | None = None
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None
    sort_order: int | None = Field(default=None, ge=0, le=100_000)
    is_active: bool | None = None


Reward = Annotated[int, Field(ge=0, le=1000)]


class LessonIn(RequestModel):
    topic_id: UUID
    key: Key
    title: Name
    description: LongText | None = None
    content_markdown: Markdown
    duration_minutes: int | None = Field(default=None, ge=1, le=600)
    difficulty: Difficulty = "beginner"
    quiz: Quiz
    xp_reward: Reward = 0
    coin_reward: Reward = 0
    skill_key: Key | None = None
    skill_star_reward: Annotated[int, Field(ge=0, le=10)] = 0
    video_url: Annotated[str, Field(max_length=500, pattern=r"^https://")] | None = None
    sort_order: int = Field(default=0, ge=0, le=100_000)
    is_active: bool = True

    @model_validator(mode="after")
    def _stars_need_a_skill(self) -> LessonIn:
        if self.skill_star_reward and not self.skill_key:
            raise ValueError("skill_star_reward needs a skill_key")
        return self


class LessonPatch(PatchModel):
    not_null = frozenset(
        {
            "topic_id",
            "title",
            "content_markdown",
            "difficulty",
            "quiz",
            "xp_reward",
            "coin_reward",
            "skill_star_reward",
            "sort_order",
            "is_active",
        }
    )

    topic_id: UUID | None = None
    title: Name | None = None
    description: LongText | None = None
    content_markdown: Markdown | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=600)
    difficulty: Difficulty | None = None
    quiz: Quiz | None = None
    xp_reward: Reward | None = None
    coin_reward: Reward | None = None
    skill_key: Key | None = None
    skill_star_reward: Annotated[int, Field(ge=0, le=10)] | None = None
    video_url: Annotated[str, Field(max_length=500, pattern=r"^https://")] | None = None
    sort_order: int | None = Field(default=None, ge=0, le=100_000)
    is_active: bool | None = None


class DrillIn(RequestModel):
    topic_id: UUID
    key: Key
    title: Name
    description: LongText | None = None
    drill_type: DrillType
    config: DrillConfig
    difficulty: Difficulty = "beginner"
    duration_seconds: int | None = Field(default=None, ge=10, le=3600)
    xp_reward: Reward = 0
    sort_order: int = Field(default=0, ge=0, le=100_000)
    is_active: bool = True


class DrillPatch(PatchModel):
    not_null = frozenset(
        {"topic_id", "title", "drill_type", "config", "difficulty", "xp_reward", "sort_order", "is_active"}
    )

    topic_id: UUID | None = None
    title: Name | None = None
    description: LongText | None = None
    drill_type: DrillType | None = None
    config: DrillConfig | None = None
    difficulty: Difficulty | None = None
    duration_seconds: int | None = Field(default=None, ge=10, le=3600)
    xp_reward: Reward | None = None
    sort_order: int | None = Field(default=None, ge=0, le=100_000)
    is_active: bool | None = None


# ---------------------------------------------------------------- learner bodies

Choice = Annotated[str, Field(min_length=1, max_length=200)]
QuizAnswer = bool | float | Choice | Annotated[list[Choice], Field(max_length=8)]


class QuizSubmission(RequestModel):
    """Answers by question id: an option (single), a list of options (multiple), true/false, or a number."""

    answers: Annotated[dict[Key, QuizAnswer], Field(max_length=10)]


class ItemAnswer(RequestModel):
    """The answer to one issued drill item: an option, or tap times in milliseconds for tapping drills."""

    item: int = Field(ge=0, le=19)
    choice: Choice | None = None
    taps_ms: Annotated[list[Annotated[float, Field(ge=0, le=600_000)]], Field(max_length=64)] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ItemAnswer:
        if (self.choice is None) == (self.taps_ms is None):
            raise ValueError("send either choice or taps_ms")
        return self


class RoundSubmission(RequestModel):
    answers: Annotated[list[ItemAnswer], Field(max_length=20)]
    time_seconds: int = Field(ge=0, le=3600)


class ReviewAnswer(RequestModel):
    """A review answered: what the learner answered (graded by the server) and how hard it felt.

    A wrong answer is always rated again; a right one takes the learner's grade (good by default)."""

    answer: QuizAnswer | None = None
    taps_ms: Annotated[list[Annotated[float, Field(ge=0, le=600_000)]], Field(max_length=64)] | None = None
    grade: Grade = "good"

    @model_validator(mode="after")
    def _one_kind(self) -> ReviewAnswer:
        if (self.answer is None) == (self.taps_ms is None):
            raise ValueError("send either answer or taps_ms")
        return self


class ReviewQuery(QueryModel):
    limit: int = Field(default=20, ge=1, le=100)


class TopicQuery(PageQuery):
    pass


# ---------------------------------------------------------------- responses (never an answer before grading)


class PublicQuestion(ResponseModel):
    id: str
    type: str
    prompt: str
    options: list[str] | None = None
    unit: str | None = None


class TopicSummary(ResponseModel):
    id: UUID
    key: str
    name: str
    description: str | None
    category: str
    icon: str | None
    color: str | None
    sort_order: int
    lesson_count: int
    drill_count: int
    lessons_completed: int
    completion: float  # completed lessons / lessons, 0..1


class LessonSummary(ResponseModel):
    id: UUID
    key: str
    title: str
    description: str | None
    duration_minutes: int | None
    difficulty: str
    xp_reward: int
    coin_reward: int
    skill_key: str | None
    skill_star_reward: int
    sort_order: int
    status: str
    best_score: int | None
    attempts: int


class DrillStats(ResponseModel):
    total_attempts: int = 0
    correct_answers: int = 0
    best_score: int = 0
    average_score: Real = 0
    current_streak: int = 0
    best_streak: int = 0
    last_attempt_at: datetime | None = None
    total_time_seconds: int = 0


class DrillSummary(ResponseModel):
    id: UUID
    key: str
    title: str
    description: str | None
    drill_type: str
    difficulty: str
    duration_seconds: int | None
    xp_reward: int
    sort_order: int
    stats: DrillStats


class Drill(DrillSummary):
    topic_id: UUID | None
    config: dict[str, Any]  # generator parameters: what kind of items, never the items or their answers


class TopicDetail(ResponseModel):
    id: UUID
    key: str
    name: str
    description: str | None
    category: str
    icon: str | None
    color: str | None
    lessons: list[LessonSummary]
    drills: list[DrillSummary]


class LessonProgress(ResponseModel):
    status: str
    started_at: datetime | None
    completed_at: datetime | None
    best_score: int | None
    latest_score: int | None
    attempts: int


class Lesson(ResponseModel):
    id: UUID
    topic_id: UUID | None
    key: str
    title: str
    description: str | None
    content_markdown: str | None
    duration_minutes: int | None
    difficulty: str
    xp_reward: int
    coin_reward: int
    skill_key: str | None
    skill_star_reward: int
    video_url: str | None
    pass_mark: int
    questions: list[PublicQuestion]
    progress: LessonProgress


class QuestionResult(ResponseModel):
    question_id: str
    correct: bool
    your_answer: Any
    correct_answer: Any
    explanation: str | None


class QuizResult(ResponseModel):
    lesson_id: UUID
    score: int
    passed: bool
    pass_mark: int
    first_pass: bool  # this submission completed the lesson and paid its rewards
    xp_awarded: int
    coins_awarded: int
    skill_stars_awarded: int
    results: list[QuestionResult]
    progress: LessonProgress
    achievements_earned: list[str]


class PublicItem(ResponseModel):
    item: int
    kind: str
    show: dict[str, Any]  # what the client plays or shows
    options: list[str] | None


class DrillRound(ResponseModel):
    id: UUID
    drill_id: UUID
    issued_at: datetime
    expires_at: datetime
    items: list[PublicItem]


class ItemResult(ResponseModel):
    item: int
    correct: bool
    score: int
    your_answer: Any
    correct_answer: Any


class RoundResult(ResponseModel):
    round_id: UUID
    drill_id: UUID
    score: int
    correct: int
    total: int
    xp_awarded: int
    results: list[ItemResult]
    stats: DrillStats
    achievements_earned: list[str]


class ReviewItem(ResponseModel):
    card_id: UUID
    kind: Literal["question", "drill"]
    due: datetime
    state: str
    reps: int
    lesson_id: UUID | None = None
    lesson_title: str | None = None
    question: PublicQuestion | None = None
    drill_id: UUID | None = None
    drill_title: str | None = None
    item: PublicItem | None = None


class ReviewQueue(ResponseModel):
    due_count: int
    items: list[ReviewItem]


class ReviewResult(ResponseModel):
    card_id: UUID
    correct: bool
    rating: Grade
    next_due: datetime
    state: str
    correct_answer: Any
    explanation: str | None
    xp_awarded: int


class TopicProgress(ResponseModel):
    topic_id: UUID
    key: str
    name: str
    lessons_completed: int
    lesson_count: int


class SkillProgress(ResponseModel):
    skill_key: str
    stars: int  # skill stars earned from lessons


class NextLesson(ResponseModel):
    id: UUID
    key: str
    title: str
    topic_key: str


class LearnProgress(ResponseModel):
    lessons_completed: int
    topics: list[TopicProgress]
    skill_stars: list[SkillProgress]
    minutes_learned: int
    current_streak: int
    longest_streak: int
    reviews_due: int
    drill_rounds: int
    next_lesson: NextLesson | None


class AdminLesson(ResponseModel):
    """A lesson as its author wrote it, quiz answers included (admin routes only)."""

    id: UUID
    topic_id: UUID | None
    key: str
    title: str
    description: str | None
    content_markdown: str | None
    duration_minutes: int | None
    difficulty: str
    quiz_json: dict[str, Any] | None
    xp_reward: int
    coin_reward: int
    skill_key: str | None
    skill_star_reward: int
    video_url: str | None
    sort_order: int
    is_active: bool
    created_at: datetime


class AdminTopic(ResponseModel):
    id: UUID
    key: str
    name: str
    description: str | None
    category: str
    icon: str | None
    color: str | None
    sort_order: int
    is_active: bool
    created_at: datetime


class AdminDrill(ResponseModel):
    id: UUID
    topic_id: UUID | None
    key: str
    title: str
    description: str | None
    drill_type: str
    config_json: dict[str, Any]
    difficulty: str
    duration_seconds: int | None
    xp_reward: int
    sort_order: int
    is_active: bool
    created_at: datetime
