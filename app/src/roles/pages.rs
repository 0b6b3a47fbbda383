//! The role pages of the admin area.
