"""Reference tracks: upload, storage-triggered analysis, the analysis read API, annotations, regions and
listening prompts.

The modules here never import numpy, except ``pipeline``, which runs the analyser and is imported only by the
analysis function (``functions/analyze_track``): the API function stays light to cold-start.
"""
