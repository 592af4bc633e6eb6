"""Onboarding: admins define flows of ordered steps; a person walks the active flow.

Steps are numbered 1..n without gaps or repeats, and ``total_steps`` is always n: every change to a flow's steps
locks the flow row and renumbers in the same transaction (the schema has no unique index on the order, so the
code keeps it); admin changes are audited. A person starts the active flow, answers question steps (options
checked; ``allows_multiple``, ``required``), moves forward and back, skips a step that is not required or the
whole flow, resumes later where they were (``can_resume``), and completes it once every required step is
answered. One answer per step (upserted). A step's ``action_type`` applies its answer in the same transaction,
so onboarding configures the app:

- ``set_interests``: the chosen options are interest keys;
- ``set_setting``: ``action_config.key`` names a setting, the answer is its value;
- ``enroll_program``: ``action_config.programs[<option>]`` is a starter training program to create and activate
  (an option without one, such as "not now", enrolls in nothing);
- ``add_book``: the free-text answer is the title of a book the person starts reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from psycopg import Connection
from psycopg.types.json import Jsonb
from pydantic import Field, JsonValue, StrictBool, StrictInt, StrictStr, model_validator

from momentum.audit import ClientInfo, audit
from momentum.auth import CurrentUser
from momentum.db import fetch_all, fetch_one, fetch_optional
from momentum.errors import Conflict, InvalidInput, NotFound
from momentum.models import LongText, Name, PatchModel, RequestModel, ResponseModel, ShortText
from momentum.platform import interests, settings

StepType = Literal["welcome", "question", "tour", "info"]
ActionType = Literal["set_interests", "set_setting", "enroll_program", "add_book"]
OptionValue = StrictStr | StrictInt | StrictBool
MAX_STEPS = 50


class Option(RequestModel):
    value: OptionValue
    label: Name


class ProgramTemplate(RequestModel):
    name: Name
    duration_weeks: Annotated[int, Field(ge=1, le=52)]
    goal: ShortText | None = None
    difficulty: Literal["beginner", "intermediate", "advanced"] = "beginner"


class StepIn(RequestModel):
    step_type: StepType
    title: Name
    description: LongText | None = None
    target_selector: ShortText | None = None
    target_route: ShortText | None = None
    fallback_content: LongText | None = None
    options: Annotated[list[Option], Field(min_length=1, max_length=50)] | None = None
    allows_multiple: bool = False
    required: bool = False
    action_type: ActionType | None = None
    action_config: dict[str, JsonValue] | None = None
    position: Annotated[int, Field(ge=1)] | None = Field(default=None, description="1-based; default: the end")

    @model_validator(mode="after")
    def _consistent(self) -> StepIn:
        check_step(self)
        return self


class FlowIn(RequestModel):
    name: Name
    description: LongText | None = None
    is_active: bool = True
    steps: Annotated[list[StepIn], Field(max_length=MAX_STEPS)] = []


class FlowPatch(PatchModel):
    not_null = frozenset({"name", "is_active"})

    name: Name | None = None
    description: LongText | None = None
    is_active: bool | None = None


class OrderIn(RequestModel):
    step_ids: Annotated[list[UUID], Field(max_length=MAX_STEPS)]


class Step(ResponseModel):
    id: UUID
    flow_id: UUID
    step_order: int
    step_type: str
    title: str
    description: str | None
    target_selector: str | None
    target_route: str | None
    fallback_content: str | None
    options: list[dict[str, Any]] | None
    allows_multiple: bool
    required: bool
    action_type: str | None
    action_config: dict[str, Any] | None


class Flow(ResponseModel):
    id: UUID
    name: str
    description: str | None
    is_active: bool
    total_steps: int
    created_at: datetime
    updated_at: datetime
    steps: list[Step] = []


class State(ResponseModel):
    status: str
    current_step_id: UUID | None
    can_resume: bool
    started_at: datetime | None
    completed_at: datetime | None
    skipped_at: datetime | None


class Onboarding(ResponseModel):
    """The active flow with its steps, where the person is, and their answers by step id."""

    flow: Flow | None
    state: State | None
    current_position: int | None
    answers: dict[str, JsonValue]


class AnswerIn(RequestModel):
    step_id: UUID
    value: OptionValue | Annotated[list[OptionValue], Field(max_length=50)] = Field(
        description="An option's value, a list of them (allows_multiple), or free text"
    )


class SkipIn(RequestModel):
    scope: Literal["step", "flow"] = "step"


# ---------------------------------------------------------------- step rules (pure)


def check_step(step: StepIn) -> None:
    """Raises: ValueError when a step's options, flags and action do not fit together."""
    values = [o.value for o in step.options or []]
    if len(set(map(repr, values))) != len(values):
        raise ValueError("option values must be unique")
    if step.allows_multiple and not step.options:
        raise ValueError("allows_multiple needs options")
    config = step.action_config or {}
    if step.action_type is not None and step.step_type != "question":
        raise ValueError("only question steps have actions")
    if step.action_type == "set_interests":
        unknown = [v for v in values if v not in interests.VOCABULARY]
        if unknown or not step.options:
            raise ValueError(f"set_interests needs options whose values are interest keys (unknown: {unknown})")
    elif step.action_type == "set_setting":
        key = config.get("key")
        if not isinstance(key, str) or key not in settings.KNOWN_KEYS:
            raise ValueError(f"set_setting needs action_config.key, one of {list(settings.KNOWN_KEYS)}")
        if step.allows_multiple:
            raise ValueError("set_setting takes one value")
        for value in values:
            settings.validate_value(key, value)
    elif step.action_type == "enroll_program":
        programs = config.get("programs")
        if not step.options or step.allows_multiple or not isinstance(programs, dict):
            raise ValueError("enroll_program needs single-choice options and action_config.programs")
        if not set(programs) <= {str(v) for v in values}:
            raise ValueError("action_config.programs has a key that is no option's value")
        for template in programs.values():  # an option without a program enrolls in nothing ("not now")
            ProgramTemplate.model_validate(template)
    elif step.action_type == "add_book" and step.options:
        raise ValueError("add_book takes a free-text title, not options")


def check_answer(step: Step, value: Any) -> Any:
    """The answer to a step, checked against its options. Raises: InvalidInput."""
    if step.step_type != "question":
        raise InvalidInput("This step takes no answer", code="not_a_question")
    allowed = [o["value"] for o in step.options or []]
    if allowed:
        chosen = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not step.allows_multiple:
            raise InvalidInput("Choose one option", code="invalid_answer")
        bad = [v for v in chosen if not any(v == a and type(v) is type(a) for a in allowed)]
        if bad:
            raise InvalidInput("Not an option of this step", code="invalid_answer", details={"allowed": allowed})
        if len(set(map(repr, chosen))) != len(chosen):
            raise InvalidInput("An option is chosen twice", code="invalid_answer")
        if step.required and not chosen:
            raise InvalidInput("This step needs an answer", code="answer_required")
        return chosen if step.allows_multiple else value
    if not isinstance(value, str) or not (1 <= len(value) <= 500):
        raise InvalidInput("Answer with a text of 1 to 500 characters", code="invalid_answer")
    return value


# ---------------------------------------------------------------- admin: flows and steps

FLOW_COLUMNS = "id, name, description, is_active, total_steps, created_at, updated_at"
STEP_COLUMNS = (
    "id, flow_id, step_order, step_type, title, description, target_selector, target_route, fallback_content, "
    "options, allows_multiple, required, action_type, action_config"
)
LIST_FLOWS = f"SELECT {FLOW_COLUMNS} FROM onboarding_flows ORDER BY created_at, id"
GET_FLOW = f"SELECT {FLOW_COLUMNS} FROM onboarding_flows WHERE id = %s"
LOCK_FLOW = f"SELECT {FLOW_COLUMNS} FROM onboarding_flows WHERE id = %s FOR UPDATE"
INSERT_FLOW = f"""
INSERT INTO onboarding_flows (name, description, is_active) VALUES (%(name)s, %(description)s, %(is_active)s)
RETURNING {FLOW_COLUMNS}
"""
UPDATE_FLOW = f"""
UPDATE onboarding_flows SET
    name = coalesce(%(name)s, name),
    description = CASE WHEN %(set_description)s THEN %(description)s ELSE description END,
    is_active = coalesce(%(is_active)s, is_active)
WHERE id = %(id)s
RETURNING {FLOW_COLUMNS}
"""
DELETE_FLOW = "DELETE FROM onboarding_flows WHERE id = %s RETURNING id"
STEPS = f"SELECT {STEP_COLUMNS} FROM onboarding_steps WHERE flow_id = %s ORDER BY step_order, id"
STEP_OF_FLOW = f"SELECT {STEP_COLUMNS} FROM onboarding_steps WHERE id = %s AND flow_id = %s"
SHIFT_FROM = "UPDATE onboarding_steps SET step_order = step_order + 1 WHERE flow_id = %s AND step_order >= %s"
INSERT_STEP = f"""
INSERT INTO onboarding_steps (flow_id, step_order, step_type, title, description, target_selector, target_route,
                              fallback_content, options, allows_multiple, required, action_type, action_config)
VALUES (%(flow_id)s, %(step_order)s, %(step_type)s, %(title)s, %(description)s, %(target_selector)s,
        %(target_route)s, %(fallback_content)s, %(options)s, %(allows_multiple)s, %(required)s, %(action_type)s,
        %(action_config)s)
RETURNING {STEP_COLUMNS}
"""
UPDATE_STEP = f"""
UPDATE onboarding_steps SET step_type = %(step_type)s, title = %(title)s, description = %(description)s,
    target_selector = %(target_selector)s, target_route = %(target_route)s, fallback_content = %(fallback_content)s,
    options = %(options)s, allows_multiple = %(allows_multiple)s, required = %(required)s,
    action_type = %(action_type)s, action_config = %(action_config)s
WHERE id = %(id)s AND flow_id = %(flow_id)s
RETURNING {STEP_COLUMNS}
"""
# People standing on a deleted step move to the step after it (or the one before, at the end): renumbering
# happens after, so the step that will take its place is the one numbered just after it now.
MOVE_OFF_STEP = """
UPDATE user_onboarding_state s SET current_step_id = (
    SELECT n.id FROM onboarding_steps n WHERE n.flow_id = %(flow_id)s AND n.id <> %(step_id)s
    ORDER BY n.step_order > %(order)s DESC, abs(n.step_order - %(order)s), n.step_order LIMIT 1)
WHERE s.current_step_id = %(step_id)s
"""
DELETE_STEP = "DELETE FROM onboarding_steps WHERE id = %s AND flow_id = %s RETURNING step_order"
# Dense, unique 1..n in the given order (or the current one), and total_steps = n.
RENUMBER = """
WITH wanted AS (
    SELECT id, row_number() OVER (ORDER BY coalesce(array_position(%(order)s::uuid[], id), 0),
                                           step_order, id) AS n
    FROM onboarding_steps WHERE flow_id = %(flow_id)s
), renumbered AS (
    UPDATE onboarding_steps s SET step_order = w.n FROM wanted w WHERE s.id = w.id AND s.step_order <> w.n
)
UPDATE onboarding_flows SET total_steps = (SELECT count(*) FROM wanted) WHERE id = %(flow_id)s
"""


@dataclass(frozen=True)
class Actor:
    """The admin making a change, for the audit trail (the seed changes flows as no one)."""

    admin: CurrentUser
    client: ClientInfo


def _audit(conn: Connection, actor: Actor | None, flow_id: UUID, action: str, details: dict[str, Any]) -> None:
    if actor is not None:
        audit(
            conn,
            "admin_action",
            user_id=actor.admin.id,
            session_id=actor.admin.session_id,
            resource_type="onboarding_flow",
            resource_id=flow_id,
            action=action,
            client=actor.client,
            details=details,
        )


def _step_values(step: StepIn) -> dict[str, Any]:
    values = step.model_dump(mode="json", exclude={"position"})
    values["options"] = Jsonb(values["options"]) if values["options"] is not None else None
    values["action_config"] = Jsonb(values["action_config"]) if values["action_config"] is not None else None
    return values


def _lock_flow(conn: Connection, flow_id: UUID) -> Flow:
    flow = fetch_optional(conn, Flow, LOCK_FLOW, (flow_id,))
    if flow is None:
        raise NotFound("onboarding_flow")
    return flow


def _renumber(conn: Connection, flow_id: UUID, order: list[UUID] | None = None) -> None:
    conn.execute(RENUMBER, {"flow_id": flow_id, "order": order or []})


def get_flow(conn: Connection, flow_id: UUID) -> Flow:
    """A flow with its steps in order. Raises: NotFound."""
    flow = fetch_one(conn, Flow, GET_FLOW, (flow_id,), resource="onboarding_flow")
    flow.steps = fetch_all(conn, Step, STEPS, (flow_id,))
    return flow


def list_flows(conn: Connection) -> list[Flow]:
    flows = fetch_all(conn, Flow, LIST_FLOWS)
    for flow in flows:
        flow.steps = fetch_all(conn, Step, STEPS, (flow.id,))
    return flows


def create_flow(conn: Connection, body: FlowIn, actor: Actor | None = None) -> Flow:
    """A flow with its steps in the order sent. Raises: Conflict (flow_exists)."""
    with conn.transaction():
        flow = fetch_one(conn, Flow, INSERT_FLOW, body.model_dump(exclude={"steps"}), resource="onboarding_flow")
        for n, step in enumerate(body.steps, start=1):
            conn.execute(INSERT_STEP, _step_values(step) | {"flow_id": flow.id, "step_order": n})
        _renumber(conn, flow.id)
        _audit(conn, actor, flow.id, "create_flow", {"name": body.name, "steps": len(body.steps)})
    return get_flow(conn, flow.id)


def update_flow(conn: Connection, flow_id: UUID, body: FlowPatch, actor: Actor | None = None) -> Flow:
    """Raises: NotFound, Conflict (flow_exists), InvalidInput (a null name)."""
    if "name" in body.model_fields_set and body.name is None:
        raise InvalidInput("name cannot be null")
    with conn.transaction():
        fetch_one(
            conn,
            Flow,
            UPDATE_FLOW,
            body.model_dump() | {"id": flow_id, "set_description": "description" in body.model_fields_set},
            resource="onboarding_flow",
        )
        _audit(conn, actor, flow_id, "update_flow", body.model_dump(mode="json", exclude_unset=True))
    return get_flow(conn, flow_id)


def delete_flow(conn: Connection, flow_id: UUID, actor: Actor | None = None) -> None:
    """Delete a flow with its steps, answers and people's progress in it. Raises: NotFound."""
    with conn.transaction():
        # user_onboarding_state.current_step_id has no ON DELETE: clear it before the steps go.
        conn.execute("UPDATE user_onboarding_state SET current_step_id = NULL WHERE flow_id = %s", (flow_id,))
        if conn.execute(DELETE_FLOW, (flow_id,)).fetchone() is None:
            raise NotFound("onboarding_flow")
        _audit(conn, actor, flow_id, "delete_flow", {})


def add_step(conn: Connection, flow_id: UUID, body: StepIn, actor: Actor | None = None) -> Flow:
    """Insert a step at ``position`` (default: the end). Raises: NotFound, InvalidInput (too many steps)."""
    with conn.transaction():
        flow = _lock_flow(conn, flow_id)
        if flow.total_steps >= MAX_STEPS:
            raise InvalidInput(f"A flow has at most {MAX_STEPS} steps")
        position = min(body.position or flow.total_steps + 1, flow.total_steps + 1)
        conn.execute(SHIFT_FROM, (flow_id, position))
        conn.execute(INSERT_STEP, _step_values(body) | {"flow_id": flow_id, "step_order": position})
        _renumber(conn, flow_id)
        _audit(conn, actor, flow_id, "add_step", {"title": body.title, "position": position})
    return get_flow(conn, flow_id)


def replace_step(conn: Connection, flow_id: UUID, step_id: UUID, body: StepIn, actor: Actor | None = None) -> Flow:
    """Replace a step's content; with ``position``, move it there. Raises: NotFound."""
    with conn.transaction():
        _lock_flow(conn, flow_id)
        fetch_one(conn, Step, UPDATE_STEP, _step_values(body) | {"id": step_id, "flow_id": flow_id}, resource="step")
        if body.position is not None:
            ids = [s.id for s in fetch_all(conn, Step, STEPS, (flow_id,)) if s.id != step_id]
            ids.insert(min(body.position, len(ids) + 1) - 1, step_id)
            _renumber(conn, flow_id, ids)
        _audit(conn, actor, flow_id, "replace_step", {"step_id": str(step_id), "title": body.title})
    return get_flow(conn, flow_id)


def delete_step(conn: Connection, flow_id: UUID, step_id: UUID, actor: Actor | None = None) -> Flow:
    """Remove a step; the ones after it move up. Raises: NotFound."""
    with conn.transaction():
        _lock_flow(conn, flow_id)
        step = fetch_one(conn, Step, STEP_OF_FLOW, (step_id, flow_id), resource="step")
        conn.execute(MOVE_OFF_STEP, {"flow_id": flow_id, "step_id": step_id, "order": step.step_order})
        conn.execute(DELETE_STEP, (step_id, flow_id))
        _renumber(conn, flow_id)
        _audit(conn, actor, flow_id, "delete_step", {"step_id": str(step_id), "title": step.title})
    return get_flow(conn, flow_id)


def reorder_steps(conn: Connection, flow_id: UUID, body: OrderIn, actor: Actor | None = None) -> Flow:
    """Put the steps in the order given (every step of the flow, once). Raises: NotFound, InvalidInput."""
    with conn.transaction():
        _lock_flow(conn, flow_id)
        current = {s.id for s in fetch_all(conn, Step, STEPS, (flow_id,))}
        if len(body.step_ids) != len(current) or set(body.step_ids) != current:
            raise InvalidInput("Send every step of the flow exactly once", code="invalid_order")
        _renumber(conn, flow_id, body.step_ids)
        _audit(conn, actor, flow_id, "reorder_steps", {"step_ids": [str(i) for i in body.step_ids]})
    return get_flow(conn, flow_id)


# ---------------------------------------------------------------- a person's walk

ACTIVE_FLOW = f"SELECT {FLOW_COLUMNS} FROM onboarding_flows WHERE is_active ORDER BY created_at, id LIMIT 1"
STATE_COLUMNS = "status, current_step_id, can_resume, started_at, completed_at, skipped_at"
GET_STATE = f"""
SELECT {STATE_COLUMNS} FROM user_onboarding_state WHERE user_id = %s AND flow_id = %s
ORDER BY created_at LIMIT 1
"""
INSERT_STATE = f"""
INSERT INTO user_onboarding_state (user_id, flow_id, current_step_id, status, started_at)
VALUES (%s, %s, %s, 'in_progress', now())
RETURNING {STATE_COLUMNS}
"""
SET_STATE = f"""
UPDATE user_onboarding_state SET
    status = %(status)s,
    current_step_id = %(current_step_id)s,
    can_resume = %(can_resume)s,
    completed_at = CASE WHEN %(status)s = 'completed' THEN now() ELSE completed_at END,
    skipped_at = CASE WHEN %(status)s = 'skipped' THEN now() ELSE skipped_at END
WHERE user_id = %(user_id)s AND flow_id = %(flow_id)s
RETURNING {STATE_COLUMNS}
"""
ANSWERS = """
SELECT r.step_id, r.response FROM user_onboarding_responses r JOIN onboarding_steps s ON s.id = r.step_id
WHERE r.user_id = %s AND s.flow_id = %s
"""
PREVIOUS_ANSWER = "SELECT response FROM user_onboarding_responses WHERE user_id = %s AND step_id = %s"
UPSERT_ANSWER = """
INSERT INTO user_onboarding_responses (user_id, step_id, response) VALUES (%s, %s, %s)
ON CONFLICT (user_id, step_id) DO UPDATE SET response = EXCLUDED.response
"""


def _active_flow(conn: Connection) -> Flow | None:
    flow = fetch_optional(conn, Flow, ACTIVE_FLOW)
    if flow is not None:
        flow.steps = fetch_all(conn, Step, STEPS, (flow.id,))
    return flow


def _view(conn: Connection, user_id: UUID, flow: Flow | None, state: State | None) -> Onboarding:
    if flow is None:
        return Onboarding(flow=None, state=None, current_position=None, answers={})
    answers = {str(step_id): response.get("value") for step_id, response in conn.execute(ANSWERS, (user_id, flow.id))}
    position = next((s.step_order for s in flow.steps if state and s.id == state.current_step_id), None)
    return Onboarding(flow=flow, state=state, current_position=position, answers=answers)


def get_onboarding(conn: Connection, user_id: UUID) -> Onboarding:
    """The active flow and the person's place in it (``state`` is null before they start)."""
    flow = _active_flow(conn)
    state = fetch_optional(conn, State, GET_STATE, (user_id, flow.id)) if flow else None
    return _view(conn, user_id, flow, state)


def _walk(conn: Connection, user_id: UUID) -> tuple[Flow, State | None]:
    """The active flow and the person's state in it, locked for this transaction. Raises: NotFound."""
    flow = _active_flow(conn)
    if flow is None:
        raise NotFound("onboarding_flow")
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"onboarding:{user_id}:{flow.id}",))
    return flow, fetch_optional(conn, State, GET_STATE, (user_id, flow.id))


def _started(state: State | None) -> State:
    if state is None or state.status == "pending":
        raise Conflict("Start onboarding first", code="not_started")
    if state.status == "completed":
        raise Conflict("Onboarding is already completed", code="already_completed")
    if state.status == "skipped":
        raise Conflict("Onboarding was skipped; start it again to resume", code="not_started")
    return state


def _set_state(
    conn: Connection, user_id: UUID, flow: Flow, status: str, step_id: UUID | None, can_resume: bool = True
) -> State:
    values = {"user_id": user_id, "flow_id": flow.id, "status": status}
    return fetch_one(
        conn, State, SET_STATE, values | {"current_step_id": step_id, "can_resume": can_resume}, resource="onboarding"
    )


def start(conn: Connection, user_id: UUID) -> Onboarding:
    """Start the active flow, or resume it where the person left it. Raises: NotFound, Conflict."""
    with conn.transaction():
        flow, state = _walk(conn, user_id)
        first = flow.steps[0].id if flow.steps else None
        if state is None:
            state = fetch_one(conn, State, INSERT_STATE, (user_id, flow.id, first), resource="onboarding")
        elif state.status == "completed":
            raise Conflict("Onboarding is already completed", code="already_completed")
        elif state.status != "in_progress":
            if not state.can_resume:
                raise Conflict("This onboarding cannot be resumed", code="cannot_resume")
            state = _set_state(conn, user_id, flow, "in_progress", state.current_step_id or first)
        return _view(conn, user_id, flow, state)


def _answered(conn: Connection, user_id: UUID, flow: Flow) -> set[UUID]:
    return {step_id for step_id, _ in conn.execute(ANSWERS, (user_id, flow.id))}


def _index(flow: Flow, state: State) -> int:
    return next((i for i, s in enumerate(flow.steps) if s.id == state.current_step_id), 0)


def move(conn: Connection, user_id: UUID, direction: Literal["next", "back", "skip"]) -> Onboarding:
    """Go to the next step (the current one answered if required), back, or past a step that is not required.

    Raises: NotFound, Conflict (not_started, already_completed, last_step, first_step), InvalidInput
    (answer_required, step_required).
    """
    with conn.transaction():
        flow, state = _walk(conn, user_id)
        state = _started(state)
        i = _index(flow, state)
        current = flow.steps[i] if flow.steps else None
        if direction == "back":
            if i == 0:
                raise Conflict("This is the first step", code="first_step")
            target = flow.steps[i - 1]
        else:
            if current is not None and current.required:
                if direction == "skip":
                    raise InvalidInput("This step is required", code="step_required")
                if current.step_type == "question" and current.id not in _answered(conn, user_id, flow):
                    raise InvalidInput("Answer this step first", code="answer_required")
            if i + 1 >= len(flow.steps):
                raise Conflict("This is the last step; complete the onboarding", code="last_step")
            target = flow.steps[i + 1]
        state = _set_state(conn, user_id, flow, "in_progress", target.id)
        return _view(conn, user_id, flow, state)


def skip_flow(conn: Connection, user_id: UUID) -> Onboarding:
    """Put onboarding aside; it can be resumed later where it was. Raises: NotFound, Conflict."""
    with conn.transaction():
        flow, state = _walk(conn, user_id)
        if state is not None and state.status == "completed":
            raise Conflict("Onboarding is already completed", code="already_completed")
        if state is None:
            first = flow.steps[0].id if flow.steps else None
            fetch_one(conn, State, INSERT_STATE, (user_id, flow.id, first), resource="onboarding")
        state = _set_state(conn, user_id, flow, "skipped", state.current_step_id if state else None)
        return _view(conn, user_id, flow, state)


def skip(conn: Connection, user_id: UUID, scope: Literal["step", "flow"]) -> Onboarding:
    """Skip the current step, or put the whole flow aside. Raises: see ``move`` and ``skip_flow``."""
    return skip_flow(conn, user_id) if scope == "flow" else move(conn, user_id, "skip")


def answer(conn: Connection, user_id: UUID, body: AnswerIn) -> Onboarding:
    """Record (or change) the answer to a step of the active flow and apply its action, in one transaction.

    Raises: NotFound (a step of no active flow), Conflict (not started, completed), InvalidInput.
    """
    with conn.transaction():
        flow, state = _walk(conn, user_id)
        state = _started(state)
        step = next((s for s in flow.steps if s.id == body.step_id), None)
        if step is None:
            raise NotFound("step")
        value = check_answer(step, body.value)
        previous = conn.execute(PREVIOUS_ANSWER, (user_id, step.id)).fetchone()
        conn.execute(UPSERT_ANSWER, (user_id, step.id, Jsonb({"value": value})))
        if previous is None or previous[0] != {"value": value}:  # the same answer again changes nothing
            apply_action(conn, user_id, step, value)
        return _view(conn, user_id, flow, state)


def complete(conn: Connection, user_id: UUID) -> Onboarding:
    """Finish the flow once every required question is answered. Raises: NotFound, Conflict, InvalidInput."""
    with conn.transaction():
        flow, state = _walk(conn, user_id)
        state = _started(state)
        answered = _answered(conn, user_id, flow)
        missing = [str(s.id) for s in flow.steps if s.required and s.step_type == "question" and s.id not in answered]
        if missing:
            raise InvalidInput("Answer the required steps first", code="answer_required", details={"steps": missing})
        state = _set_state(conn, user_id, flow, "completed", state.current_step_id, can_resume=False)
        return _view(conn, user_id, flow, state)


# ---------------------------------------------------------------- actions

INSERT_PROGRAM = """
WITH deactivated AS (
    UPDATE training_programs SET is_active = false WHERE user_id = %(user_id)s AND is_active
)
INSERT INTO training_programs (user_id, name, duration_weeks, goal, difficulty, is_active, started_at)
VALUES (%(user_id)s, %(name)s, %(duration_weeks)s, %(goal)s, %(difficulty)s, true, now())
"""
INSERT_BOOK = """
INSERT INTO books (user_id, title, status, started_at) VALUES (%s, %s, 'reading', now())
"""


def apply_action(conn: Connection, user_id: UUID, step: Step, value: Any) -> None:
    """What an answer changes in the app (see the module docstring)."""
    config = step.action_config or {}
    if step.action_type == "set_interests":
        interests.set_interests(conn, user_id, value if isinstance(value, list) else [value])
    elif step.action_type == "set_setting":
        settings.set_setting(conn, user_id, str(config["key"]), value)
    elif step.action_type == "enroll_program":
        template = dict(config.get("programs") or {}).get(str(value))
        if template is not None:
            program = ProgramTemplate.model_validate(template)
            conn.execute(INSERT_PROGRAM, program.model_dump() | {"user_id": user_id})
    elif step.action_type == "add_book":
        conn.execute(INSERT_BOOK, (user_id, value))
