//! parapet-protect (being built; see the workspace README for the crate map).
