//! The views, one component per file. Leaf components get data and `on_*` callbacks; the
//! views of a tab read the workspace and ask the engine through hooks (`use_workspace`,
//! `use_query`) and dispatch actions; `views.rs` says which shows each tab.

pub mod ask_view;
pub mod badges;
pub mod catalog_picker;
pub mod code_view;
pub mod compare_view;
pub mod embed_view;
pub mod error_banner;
pub mod file_button;
pub mod graph_view;
pub mod guard_view;
pub mod header_view;
pub mod layout_view;
pub mod listing_view;
pub mod load_status;
pub mod loadlog_view;
pub mod matrix_view;
pub mod object_welcome;
pub mod reloc_view;
pub mod selection_bar;
pub mod share_button;
pub mod shell;
pub mod spans;
pub mod struct_list;
pub mod summary_view;
pub mod text_viewer;
pub mod topbar;
pub mod tour_bar;
pub mod type_detail;
pub mod type_list;
pub mod welcome;
pub mod whatif_panel;
pub mod where_view;
