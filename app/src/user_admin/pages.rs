//! The user pages of the admin area.
