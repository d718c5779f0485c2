//! The views, one component per file. Leaf components get data and `on_*` callbacks as
//! props; none of them talks to the engine.

pub mod embed_view;
pub mod error_banner;
pub mod file_button;
pub mod listing_view;
pub mod load_status;
pub mod spans;
pub mod summary_view;
pub mod text_viewer;
pub mod topbar;
pub mod type_detail;
pub mod type_list;
pub mod welcome;
