"""Request and response models of the reference API."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator

from momentum.models import (
    Difficulty,
    LongText,
    Name,
    PageQuery,
    PatchModel,
    QueryModel,
    RequestModel,
    ResponseModel,
    ShortText,
    Tag,
)

MimeType = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Color = Annotated[str, StringConstraints(pattern=r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$")]
Token = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,49}$")]  # category, section type, …
Tags = Annotated[list[Tag], Field(max_length=20)]
# The event types the analysis writes (momentum.analysis.analyzer); a filter on anything else is a client error.
EVENT_TYPES = ("beat", "downbeat", "section")
TimeMs = Annotated[int, Field(ge=0, le=2**31 - 1)]
TrackStatus = Literal["processing", "ready", "error"]


def normalise_tags(tags: list[str] | None) -> list[str] | None:
    """Tags compare case-insensitively: stored lower-case, without duplicates, in the order given."""
    if tags is None:
        return None
    return list(dict.fromkeys(tag.strip().lower() for tag in tags))


class _TaggedIn(RequestModel):
    @field_validator("tags", check_fields=False)
    @classmethod
    def _normalise_tags(cls, tags: list[str] | None) -> list[str] | None:
        return normalise_tags(tags)


# ------------------------------------------------------------------ tracks


class TrackIn(_TaggedIn):
    name: Name
    mime_type: MimeType
    file_size_bytes: int = Field(ge=1)
    description: LongText | None = None
    artist: ShortText | None = None
    album: ShortText | None = None
    genre: ShortText | None = None
    tags: Tags | None = None


class TrackPatch(_TaggedIn, PatchModel):
    """Metadata only; a field sent as null is cleared (except the name, which a track always has)."""

    not_null = frozenset({"name"})

    name: Name | None = None
    description: LongText | None = None
    artist: ShortText | None = None
    album: ShortText | None = None
    genre: ShortText | None = None
    tags: Tags | None = None


class TrackQuery(PageQuery):
    status: TrackStatus | None = None
    genre: ShortText | None = None
    tag: Tag | None = None


class Track(ResponseModel):
    id: UUID
    name: str
    description: str | None
    r2_key: str
    file_size_bytes: int
    mime_type: str
    duration_seconds: float | None
    artist: str | None
    album: str | None
    genre: str | None
    bpm: float | None
    key_signature: str | None
    tags: list[str] | None
    status: str
    error_message: str | None
    created_at: datetime
    updated_at: datetime


class UploadForm(ResponseModel):
    """POST the file as multipart/form-data to ``url`` with every field of ``fields``, the file last."""

    method: Literal["POST"] = "POST"
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_at: datetime


class PlaybackUrl(ResponseModel):
    """GET ``url`` (with a Range header to seek) before ``expires_at``; the file comes as ``content_type``."""

    method: Literal["GET"] = "GET"
    url: str
    content_type: str
    expires_at: datetime


class TrackCreated(ResponseModel):
    track: Track
    upload: UploadForm


# ------------------------------------------------------------------ analyses


class Analysis(ResponseModel):
    id: UUID
    track_id: UUID
    analysis_type: str
    version: str | None  # None while pending: the run that starts it records the analyser's version
    status: str
    started_at: datetime | None
    completed_at: datetime | None
    error_message: str | None
    summary: dict[str, Any] | None
    manifest: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


class FrameRangeQuery(QueryModel):
    start_time_ms: TimeMs = 0
    end_time_ms: TimeMs | None = None


class FrameChunk(ResponseModel):
    chunk_index: int
    start_frame: int
    end_frame: int
    start_time_ms: int
    end_time_ms: int
    frame_count: int
    compressed: bool
    compression_type: str | None
    data: str  # base64 of frame_data: frame_count × bytes_per_frame bytes once decompressed


class FrameManifest(ResponseModel):
    manifest_version: int
    hop_ms: int
    frame_count: int
    duration_ms: int
    sample_rate: int
    bands: int
    bytes_per_frame: int
    frame_layout: dict[str, Any]
    analyzer_version: str
    chunk_size_frames: int
    total_chunks: int


class Frames(ResponseModel):
    analysis_id: UUID
    start_time_ms: int
    end_time_ms: int
    manifest: FrameManifest
    chunks: list[FrameChunk]


class EventQuery(PageQuery):
    # A visualiser wants all beats of a track at once: a page holds up to 5,000 events.
    limit: int = Field(default=1000, ge=1, le=5000)
    type: str | None = Field(
        default=None,
        max_length=200,
        description=f"One event type, or several separated by commas: {', '.join(EVENT_TYPES)}",
        examples=["beat,downbeat"],
        # Documented for clients; the validator below gives the clearer message
        json_schema_extra={"pattern": f"^({'|'.join(EVENT_TYPES)})(,({'|'.join(EVENT_TYPES)}))*$"},
    )
    start_time_ms: TimeMs | None = None
    end_time_ms: TimeMs | None = None

    @field_validator("type")
    @classmethod
    def _known_types(cls, value: str | None) -> str | None:
        if value is None:
            return None
        unknown = [name for name in value.split(",") if name not in EVENT_TYPES]
        if unknown:
            raise ValueError(f"unknown event type {unknown[0]!r}: use one or more of {', '.join(EVENT_TYPES)}")
        return value

    @property
    def types(self) -> list[str] | None:
        return list(dict.fromkeys(self.type.split(","))) if self.type else None


class AnalysisEvent(ResponseModel):
    id: UUID
    time_ms: int
    duration_ms: int | None
    event_type: str
    event_data: dict[str, Any] | list[Any] | None
    confidence: float | None


# ------------------------------------------------------------------ annotations and regions


class AnnotationIn(RequestModel):
    start_time_ms: TimeMs
    end_time_ms: TimeMs | None = None
    title: Name
    content: LongText | None = None
    category: Token | None = None
    color: Color | None = None
    is_private: bool = True


class AnnotationPatch(PatchModel):
    not_null = frozenset({"start_time_ms", "title", "is_private"})

    start_time_ms: TimeMs | None = None
    end_time_ms: TimeMs | None = None
    title: Name | None = None
    content: LongText | None = None
    category: Token | None = None
    color: Color | None = None
    is_private: bool | None = None


class Annotation(ResponseModel):
    id: UUID
    track_id: UUID
    start_time_ms: int
    end_time_ms: int | None
    title: str
    content: str | None
    category: str | None
    color: str | None
    is_private: bool
    created_at: datetime
    updated_at: datetime


class RegionIn(RequestModel):
    start_time_ms: TimeMs
    end_time_ms: TimeMs
    name: Name
    description: LongText | None = None
    section_type: Token | None = None
    color: Color | None = None
    display_order: int = Field(default=0, ge=-1_000_000, le=1_000_000)


class RegionPatch(PatchModel):
    not_null = frozenset({"start_time_ms", "end_time_ms", "name", "display_order"})

    start_time_ms: TimeMs | None = None
    end_time_ms: TimeMs | None = None
    name: Name | None = None
    description: LongText | None = None
    section_type: Token | None = None
    color: Color | None = None
    display_order: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)


class Region(ResponseModel):
    id: UUID
    track_id: UUID
    start_time_ms: int
    end_time_ms: int
    name: str
    description: str | None
    section_type: str | None
    color: str | None
    display_order: int
    created_at: datetime
    updated_at: datetime


# ------------------------------------------------------------------ listening prompts

MAX_PRESET_CONFIG_BYTES = 16_384
Hint = Annotated[str, StringConstraints(min_length=1, max_length=500)]
PromptText = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class PromptIn(_TaggedIn):
    name: Name
    description: LongText | None = None
    category: Token
    difficulty: Difficulty = "beginner"
    prompt_text: PromptText
    hints: Annotated[list[Hint], Field(max_length=20)] | None = None
    expected_observations: Annotated[list[Hint], Field(max_length=20)] | None = None
    tags: Tags | None = None
    display_order: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    is_active: bool = True


class PromptPatch(_TaggedIn, PatchModel):
    not_null = frozenset({"name", "category", "difficulty", "prompt_text", "display_order", "is_active"})

    name: Name | None = None
    description: LongText | None = None
    category: Token | None = None
    difficulty: Difficulty | None = None
    prompt_text: PromptText | None = None
    hints: Annotated[list[Hint], Field(max_length=20)] | None = None
    expected_observations: Annotated[list[Hint], Field(max_length=20)] | None = None
    tags: Tags | None = None
    display_order: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)
    is_active: bool | None = None


class PromptQuery(PageQuery):
    category: Token | None = None
    difficulty: Difficulty | None = None
    tag: Tag | None = None
    include_inactive: bool = False  # admins only


def _bounded_config(config: dict[str, Any] | None) -> dict[str, Any] | None:
    if config is not None and len(json.dumps(config)) > MAX_PRESET_CONFIG_BYTES:
        raise ValueError(f"config must be at most {MAX_PRESET_CONFIG_BYTES} bytes of JSON")
    return config


class PresetIn(RequestModel):
    name: Name
    description: LongText | None = None
    preset_type: Token
    config: dict[str, Any]
    is_active: bool = True

    _config_size = field_validator("config")(_bounded_config)


class PresetPatch(PatchModel):
    not_null = frozenset({"name", "preset_type", "config", "is_active"})

    name: Name | None = None
    description: LongText | None = None
    preset_type: Token | None = None
    config: dict[str, Any] | None = None
    is_active: bool | None = None

    _config_size = field_validator("config")(_bounded_config)


class Preset(ResponseModel):
    id: UUID
    template_id: UUID
    name: str
    description: str | None
    preset_type: str
    config: dict[str, Any]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class Prompt(ResponseModel):
    id: UUID
    name: str
    description: str | None
    category: str
    difficulty: Difficulty
    prompt_text: str
    hints: list[Any] | None
    expected_observations: list[Any] | None
    tags: list[str] | None
    display_order: int
    is_active: bool
    created_at: datetime
    updated_at: datetime


class PromptDetail(Prompt):
    presets: list[Preset]
