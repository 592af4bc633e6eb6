"""Focus: a timer that works across devices, what it pays, playlists to focus to, and stats."""
