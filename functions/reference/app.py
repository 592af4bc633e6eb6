"""Reference tracks: upload, metadata, analysis results, annotations, regions and listening prompts.

Frames come as JSON: each stored chunk base64-encoded as stored (zlib when ``compression_type`` says so) with
the manifest whose ``frame_layout`` tells how to read a frame.
"""

from uuid import UUID

from momentum.http import Context, MomentumApp, Page, PageQuery
from momentum.reference import models as m
from momentum.reference import prompts, results, tracks
from momentum.reference.timeline import annotations, regions

app = MomentumApp("momentum-reference")


# ------------------------------------------------------------------ tracks


@app.route("/reference/tracks", ["POST"], body=m.TrackIn, response=m.TrackCreated, status=201)
def create_track(ctx: Context[m.TrackIn]) -> m.TrackCreated:
    """Create a track and get a presigned POST for its file (MP3, WAV, FLAC, Ogg Vorbis/Opus, AIFF)."""
    return tracks.create_track(ctx.conn, ctx.user.id, ctx.body)


@app.route("/reference/tracks", query=m.TrackQuery, response=Page[m.Track])
def list_tracks(ctx: Context[None, m.TrackQuery]) -> Page[m.Track]:
    """The caller's tracks, newest first; filter by status, genre and tag."""
    return tracks.list_tracks(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/reference/tracks/{track_id}", response=m.Track)
def get_track(ctx: Context, track_id: UUID) -> m.Track:
    """One track: metadata, status and the analysed duration, tempo and key."""
    return tracks.get_track(ctx.conn, ctx.user.id, track_id)


@app.route("/reference/tracks/{track_id}", ["PATCH"], body=m.TrackPatch, response=m.Track)
def update_track(ctx: Context[m.TrackPatch], track_id: UUID) -> m.Track:
    """Change metadata (name, description, artist, album, genre, tags); null clears a field."""
    return tracks.update_track(ctx.conn, ctx.user.id, track_id, ctx.body)


@app.route("/reference/tracks/{track_id}", ["DELETE"], status=204)
def delete_track(ctx: Context, track_id: UUID) -> None:
    """Delete the track with its file, analyses, annotations and regions."""
    tracks.delete_track(ctx.conn, ctx.user.id, track_id)


@app.route("/reference/tracks/{track_id}/playback", response=m.PlaybackUrl)
def get_track_playback(ctx: Context, track_id: UUID) -> m.PlaybackUrl:
    """A short-lived URL to play or download the track's file (GET; Range requests seek, answered 206)."""
    return tracks.playback_url(ctx.conn, ctx.user.id, track_id)


@app.route("/reference/tracks/{track_id}/upload", ["POST"], response=m.UploadForm, errors=("conflict",))
def renew_track_upload(ctx: Context, track_id: UUID) -> m.UploadForm:
    """A fresh presigned POST for the track's file, when the first one expired or failed (not once analysed)."""
    return tracks.renew_upload(ctx.conn, ctx.user.id, track_id)


@app.route("/reference/tracks/{track_id}/reanalyze", ["POST"], response=m.Analysis, status=202)
def reanalyze_track(ctx: Context, track_id: UUID) -> m.Analysis:
    """Queue a new analysis of the stored file."""
    return tracks.reanalyze_track(ctx.conn, ctx.user.id, track_id)


# ------------------------------------------------------------------ analysis results


@app.route("/reference/tracks/{track_id}/analysis", response=m.Analysis)
def get_analysis(ctx: Context, track_id: UUID) -> m.Analysis:
    """The track's current analysis (summary and manifest), or its latest run while none has completed."""
    return results.get_track_analysis(ctx.conn, ctx.user.id, track_id)


@app.route(
    "/reference/analyses/{analysis_id}/frames",
    query=m.FrameRangeQuery,
    response=m.Frames,
    errors=("analysis_not_ready",),
)
def get_frames(ctx: Context[None, m.FrameRangeQuery], analysis_id: UUID) -> m.Frames:
    """The frame chunks overlapping [start_time_ms, end_time_ms) (at most 5 minutes; the end defaults to the
    start + 5 min)."""
    return results.get_frames(ctx.conn, ctx.user.id, analysis_id, ctx.query)


@app.route("/reference/analyses/{analysis_id}/events", query=m.EventQuery, response=Page[m.AnalysisEvent])
def list_events(ctx: Context[None, m.EventQuery], analysis_id: UUID) -> Page[m.AnalysisEvent]:
    """Beats, downbeats and sections in time order; filter by type (comma-separated) and range (422 on an unknown
    type)."""
    return results.list_events(ctx.conn, ctx.user.id, analysis_id, ctx.query, ctx.page)


# ------------------------------------------------------------------ annotations


@app.route("/reference/tracks/{track_id}/annotations", query=PageQuery, response=Page[m.Annotation])
def list_annotations(ctx: Context[None, PageQuery], track_id: UUID) -> Page[m.Annotation]:
    """The track's annotations in time order."""
    return annotations.list(ctx.conn, ctx.user.id, track_id, ctx.page)


@app.route("/reference/tracks/{track_id}/annotations", ["POST"], body=m.AnnotationIn, response=m.Annotation, status=201)
def create_annotation(ctx: Context[m.AnnotationIn], track_id: UUID) -> m.Annotation:
    """Mark a moment or a range of the track with a note."""
    return annotations.create(ctx.conn, ctx.user.id, track_id, ctx.body)


@app.route("/reference/tracks/{track_id}/annotations/{annotation_id}", response=m.Annotation)
def get_annotation(ctx: Context, track_id: UUID, annotation_id: UUID) -> m.Annotation:
    """One annotation."""
    return annotations.get(ctx.conn, ctx.user.id, track_id, annotation_id)


@app.route(
    "/reference/tracks/{track_id}/annotations/{annotation_id}", ["PATCH"], body=m.AnnotationPatch, response=m.Annotation
)
def update_annotation(ctx: Context[m.AnnotationPatch], track_id: UUID, annotation_id: UUID) -> m.Annotation:
    """Change an annotation; null clears an optional field."""
    return annotations.update(ctx.conn, ctx.user.id, track_id, annotation_id, ctx.body)


@app.route("/reference/tracks/{track_id}/annotations/{annotation_id}", ["DELETE"], status=204)
def delete_annotation(ctx: Context, track_id: UUID, annotation_id: UUID) -> None:
    """Delete an annotation."""
    annotations.delete(ctx.conn, ctx.user.id, track_id, annotation_id)


# ------------------------------------------------------------------ regions


@app.route("/reference/tracks/{track_id}/regions", query=PageQuery, response=Page[m.Region])
def list_regions(ctx: Context[None, PageQuery], track_id: UUID) -> Page[m.Region]:
    """The track's named regions, in display order."""
    return regions.list(ctx.conn, ctx.user.id, track_id, ctx.page)


@app.route("/reference/tracks/{track_id}/regions", ["POST"], body=m.RegionIn, response=m.Region, status=201)
def create_region(ctx: Context[m.RegionIn], track_id: UUID) -> m.Region:
    """Name a section of the track (intro, drop, …)."""
    return regions.create(ctx.conn, ctx.user.id, track_id, ctx.body)


@app.route("/reference/tracks/{track_id}/regions/{region_id}", response=m.Region)
def get_region(ctx: Context, track_id: UUID, region_id: UUID) -> m.Region:
    """One region."""
    return regions.get(ctx.conn, ctx.user.id, track_id, region_id)


@app.route("/reference/tracks/{track_id}/regions/{region_id}", ["PATCH"], body=m.RegionPatch, response=m.Region)
def update_region(ctx: Context[m.RegionPatch], track_id: UUID, region_id: UUID) -> m.Region:
    """Change a region; null clears an optional field."""
    return regions.update(ctx.conn, ctx.user.id, track_id, region_id, ctx.body)


@app.route("/reference/tracks/{track_id}/regions/{region_id}", ["DELETE"], status=204)
def delete_region(ctx: Context, track_id: UUID, region_id: UUID) -> None:
    """Delete a region."""
    regions.delete(ctx.conn, ctx.user.id, track_id, region_id)


# ------------------------------------------------------------------ listening prompts


@app.route("/reference/prompts", query=m.PromptQuery, response=Page[m.Prompt], errors=("forbidden",))
def list_prompts(ctx: Context[None, m.PromptQuery]) -> Page[m.Prompt]:
    """Active listening prompts; filter by category, difficulty and tag."""
    return prompts.list_prompts(ctx.conn, ctx.user, ctx.query, ctx.page)


@app.route("/reference/prompts/{prompt_id}", response=m.PromptDetail)
def get_prompt(ctx: Context, prompt_id: UUID) -> m.PromptDetail:
    """A listening prompt with its presets."""
    return prompts.get_prompt(ctx.conn, ctx.user, prompt_id)


@app.route(
    "/reference/prompts", ["POST"], auth="admin", body=m.PromptIn, response=m.Prompt, status=201, errors=("name_taken",)
)
def create_prompt(ctx: Context[m.PromptIn]) -> m.Prompt:
    """Create a listening prompt (admin)."""
    return prompts.create_prompt(ctx.conn, ctx.user, ctx.body)


@app.route(
    "/reference/prompts/{prompt_id}",
    ["PATCH"],
    auth="admin",
    body=m.PromptPatch,
    response=m.Prompt,
    errors=("name_taken",),
)
def update_prompt(ctx: Context[m.PromptPatch], prompt_id: UUID) -> m.Prompt:
    """Change a listening prompt; PATCH is_active to hide or show it (admin)."""
    return prompts.update_prompt(ctx.conn, prompt_id, ctx.body)


@app.route("/reference/prompts/{prompt_id}", ["DELETE"], auth="admin", status=204)
def delete_prompt(ctx: Context, prompt_id: UUID) -> None:
    """Delete a listening prompt and its presets (admin)."""
    prompts.delete_prompt(ctx.conn, prompt_id)


@app.route(
    "/reference/prompts/{prompt_id}/presets", ["POST"], auth="admin", body=m.PresetIn, response=m.Preset, status=201
)
def create_preset(ctx: Context[m.PresetIn], prompt_id: UUID) -> m.Preset:
    """Add a preset to a listening prompt (admin)."""
    return prompts.create_preset(ctx.conn, ctx.user, prompt_id, ctx.body)


@app.route(
    "/reference/prompts/{prompt_id}/presets/{preset_id}", ["PATCH"], auth="admin", body=m.PresetPatch, response=m.Preset
)
def update_preset(ctx: Context[m.PresetPatch], prompt_id: UUID, preset_id: UUID) -> m.Preset:
    """Change a preset (admin)."""
    return prompts.update_preset(ctx.conn, prompt_id, preset_id, ctx.body)


@app.route("/reference/prompts/{prompt_id}/presets/{preset_id}", ["DELETE"], auth="admin", status=204)
def delete_preset(ctx: Context, prompt_id: UUID, preset_id: UUID) -> None:
    """Delete a preset (admin)."""
    prompts.delete_preset(ctx.conn, prompt_id, preset_id)
