"""Learn: topics, lessons with quizzes graded by the server, drills dealt from server-kept seeds, and spaced
review with FSRS.

One module per concern: ``catalog`` (browsing), ``lessons`` (start, quiz), ``rounds`` (drill rounds), ``review``
(spaced review), ``progress`` (the overview), ``admin`` (authoring); the pure rules in ``quiz`` (grading),
``drills`` (item generators and scoring) and ``rules`` (rewards and caps); ``usage`` keeps the daily caps; request
and response models in ``models``. No learner-facing response carries a quiz's or a drill's answers before they
are graded.
"""
