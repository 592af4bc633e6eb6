"""Books: a reading library (statuses, re-reads, abandoned books, ISBNs, search, Goodreads/StoryGraph imports),
reading sessions that pay through ``gamification.award``, and reading stats."""
