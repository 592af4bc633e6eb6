"""Learn: topics, lessons and their quizzes, drill rounds, spaced review and progress; authoring for admins."""

from uuid import UUID

from momentum.http import Context, MomentumApp, Page
from momentum.learn import admin, catalog, lessons, models, progress, review, rounds

app = MomentumApp("momentum-learn")


# ---------------------------------------------------------------- the learner's path


@app.route("/learn/topics", query=models.TopicQuery, response=Page[models.TopicSummary])
def list_topics(ctx: Context[None, models.TopicQuery]) -> Page[models.TopicSummary]:
    """Topics in curriculum order with their lesson and drill counts and your completion."""
    return catalog.list_topics(ctx.conn, ctx.user.id, ctx.page)


@app.route("/learn/topics/{topic_id}", response=models.TopicDetail)
def get_topic(ctx: Context, topic_id: UUID) -> models.TopicDetail:
    """A topic's lessons with your status and its drills with your stats."""
    return catalog.get_topic(ctx.conn, ctx.user.id, topic_id)


@app.route("/learn/lessons/{lesson_id}", response=models.Lesson)
def get_lesson(ctx: Context, lesson_id: UUID) -> models.Lesson:
    """A lesson to read and its quiz to take (never the answers), with your progress."""
    return catalog.get_lesson(ctx.conn, ctx.user.id, lesson_id)


@app.route("/learn/lessons/{lesson_id}/start", ["POST"], response=models.LessonProgress)
def start_lesson(ctx: Context, lesson_id: UUID) -> models.LessonProgress:
    """Start a lesson; the first start time is kept."""
    return lessons.start_lesson(ctx.conn, ctx.user.id, lesson_id)


@app.route(
    "/learn/lessons/{lesson_id}/quiz",
    ["POST"],
    body=models.QuizSubmission,
    response=models.QuizResult,
    status=201,
    idempotent=True,
    errors=("idempotency_key_reused", "unknown_question", "no_quiz"),
    read=lessons.READ_LESSON,
)
def submit_quiz(ctx: Context[models.QuizSubmission], lesson_id: UUID) -> models.QuizResult:
    """Submit the quiz: graded by the server; the first pass completes the lesson and pays its rewards once."""
    return lessons.submit_quiz(ctx.conn, ctx.user.id, lesson_id, ctx.body, ctx.idempotency_key, ctx.read)


@app.route("/learn/drills/{drill_id}", response=models.Drill)
def get_drill(ctx: Context, drill_id: UUID) -> models.Drill:
    """A drill and your stats in it."""
    return catalog.get_drill(ctx.conn, ctx.user.id, drill_id)


@app.route(
    "/learn/drills/{drill_id}/rounds",
    ["POST"],
    response=models.DrillRound,
    status=201,
    errors=("too_many_open_rounds",),
)
def start_round(ctx: Context, drill_id: UUID) -> models.DrillRound:
    """Deal a round of a drill: what to play or show for each item, not the answers."""
    return rounds.issue_round(ctx.conn, ctx.user.id, drill_id)


@app.route(
    "/learn/rounds/{round_id}/submit",
    ["POST"],
    body=models.RoundSubmission,
    response=models.RoundResult,
    idempotent=True,
    errors=("already_submitted", "expired", "idempotency_key_reused"),
    read=rounds.READ_ROUND,
)
def submit_round(ctx: Context[models.RoundSubmission], round_id: UUID) -> models.RoundResult:
    """Answer a round once: scored by the server, your drill stats updated, XP by the score (capped daily)."""
    return rounds.submit_round(ctx.conn, ctx.user.id, round_id, ctx.body, ctx.idempotency_key, ctx.read)


@app.route("/learn/review", query=models.ReviewQuery, response=models.ReviewQueue)
def due_reviews(ctx: Context[None, models.ReviewQuery]) -> models.ReviewQueue:
    """Questions and drill items due for review now, oldest first."""
    return review.due_reviews(ctx.conn, ctx.user.id, ctx.query.limit)


@app.route(
    "/learn/review/{card_id}",
    ["POST"],
    body=models.ReviewAnswer,
    response=models.ReviewResult,
    idempotent=True,
    errors=("idempotency_key_reused", "not_due"),
    read=review.READ_CARD,
)
def answer_review(ctx: Context[models.ReviewAnswer], card_id: UUID) -> models.ReviewResult:
    """Answer a due review: graded by the server and scheduled again by FSRS."""
    return review.review(ctx.conn, ctx.user.id, card_id, ctx.body, ctx.idempotency_key, ctx.read)


@app.route("/learn/progress", response=models.LearnProgress)
def get_progress(ctx: Context) -> models.LearnProgress:
    """Lessons completed per topic, skill stars from lessons, minutes, streak, reviews due and the next lesson."""
    return progress.get_progress(ctx.conn, ctx.user.id)


# ---------------------------------------------------------------- authoring (admins)


@app.route(
    "/learn/topics",
    ["POST"],
    auth="admin",
    body=models.TopicIn,
    response=models.AdminTopic,
    status=201,
    errors=("key_taken",),
)
def create_topic(ctx: Context[models.TopicIn]) -> models.AdminTopic:
    """Create a topic."""
    return admin.create_topic(ctx.conn, ctx.body)


@app.route("/learn/topics/{topic_id}", ["PATCH"], auth="admin", body=models.TopicPatch, response=models.AdminTopic)
def update_topic(ctx: Context[models.TopicPatch], topic_id: UUID) -> models.AdminTopic:
    """Change a topic (only the fields sent)."""
    return admin.update_topic(ctx.conn, topic_id, ctx.body)


@app.route("/learn/topics/{topic_id}", ["DELETE"], auth="admin", status=204)
def delete_topic(ctx: Context, topic_id: UUID) -> None:
    """Delete a topic with its lessons and drills."""
    admin.delete(ctx.conn, "learn_topics", "topic", topic_id)


@app.route(
    "/learn/lessons",
    ["POST"],
    auth="admin",
    body=models.LessonIn,
    response=models.AdminLesson,
    status=201,
    errors=("key_taken", "unknown_skill", "unknown_topic"),
)
def create_lesson(ctx: Context[models.LessonIn]) -> models.AdminLesson:
    """Create a lesson with its quiz (validated: every answer among its options)."""
    return admin.create_lesson(ctx.conn, ctx.body)


@app.route(
    "/learn/lessons/{lesson_id}",
    ["PATCH"],
    auth="admin",
    body=models.LessonPatch,
    response=models.AdminLesson,
    errors=("unknown_skill", "unknown_topic"),
)
def update_lesson(ctx: Context[models.LessonPatch], lesson_id: UUID) -> models.AdminLesson:
    """Change a lesson (only the fields sent; a quiz is replaced whole)."""
    return admin.update_lesson(ctx.conn, lesson_id, ctx.body)


@app.route("/learn/lessons/{lesson_id}", ["DELETE"], auth="admin", status=204)
def delete_lesson(ctx: Context, lesson_id: UUID) -> None:
    """Delete a lesson."""
    admin.delete(ctx.conn, "learn_lessons", "lesson", lesson_id)


@app.route(
    "/learn/drills",
    ["POST"],
    auth="admin",
    body=models.DrillIn,
    response=models.AdminDrill,
    status=201,
    errors=("key_taken", "unknown_topic"),
)
def create_drill(ctx: Context[models.DrillIn]) -> models.AdminDrill:
    """Create a drill with its generator configuration (validated)."""
    return admin.create_drill(ctx.conn, ctx.body)


@app.route(
    "/learn/drills/{drill_id}",
    ["PATCH"],
    auth="admin",
    body=models.DrillPatch,
    response=models.AdminDrill,
    errors=("unknown_topic",),
)
def update_drill(ctx: Context[models.DrillPatch], drill_id: UUID) -> models.AdminDrill:
    """Change a drill (only the fields sent)."""
    return admin.update_drill(ctx.conn, drill_id, ctx.body)


@app.route("/learn/drills/{drill_id}", ["DELETE"], auth="admin", status=204)
def delete_drill(ctx: Context, drill_id: UUID) -> None:
    """Delete a drill."""
    admin.delete(ctx.conn, "learn_drills", "drill", drill_id)
