"""Fitness: the exercise library, workouts, sessions and their sets, personal records, stats and programs.

One module per concern: ``exercises``, ``workouts``, ``sessions``, ``sets`` (the log-set hot path), ``records``,
``stats``, ``programs``; the pure rules (records, the session award) in ``rules``; request and response models in
``models``. Everything a user owns is theirs alone: another user's id answers 404 (public workouts and built-in
exercises are readable by everyone). A body naming an exercise or workout the user cannot see is a 422.
"""
