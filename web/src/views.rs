//! The one place features are registered: every tab ([`View`], with its area, URL spelling
//! and title) and every question views ask the engine (the query registry: [`AnyQuery`],
//! [`AnyReply`]). In the browser, `View::render` (wasm builds only) says which component
//! shows each tab.
//!
//! Adding a view is a [`crate::query::Query`] type, a component, and lines here: the query's
//! line in `queries!`, and for a new tab, its line in `views!` and its arm in `render`.

use serde::{Deserialize, Serialize};

use crate::query::{
    ask, catalog, kernel, loadlog, object, structs, Blob, Payload, Query, Registered,
};
use crate::session::Session;

/// Declares the tabs: the enum, its table of labels, titles and areas.
macro_rules! views {
    ($($(#[$doc:meta])* $v:ident => $label:literal, $title:literal, $area:ident;)*) => {
        /// The main view: one tab of one area.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
        pub enum View {
            #[default]
            $($(#[$doc])* $v,)*
        }

        impl View {
            /// Every view, in tab order.
            pub const ALL: &'static [View] = &[$(View::$v),*];

            /// The URL spelling.
            pub fn label(self) -> &'static str {
                match self { $(View::$v => $label,)* }
            }

            /// The tab's text.
            pub fn title(self) -> &'static str {
                match self { $(View::$v => $title,)* }
            }

            /// The area it belongs to.
            pub fn area(self) -> Area {
                match self { $(View::$v => Area::$area,)* }
            }
        }
    };
}

views! {
    /// What the BTF holds (`corelab info`).
    Summary => "summary", "Summary", Kernel;
    /// The type list and one type's detail.
    Types => "types", "Types", Kernel;
    /// The structs and unions, and the selected one's layout (pahole).
    Layout => "layout", "Layout", Kernel;
    /// The generated `vmlinux.h` in the big viewer.
    Header => "header", "vmlinux.h", Kernel;
    /// The whole raw listing in the big viewer.
    Listing => "listing", "Raw listing", Kernel;
    /// One struct or union across kernels.
    Compare => "compare", "Compare kernels", Kernel;
    /// A type, member or enumerator across every catalogue build.
    Where => "where", "Where is…", Kernel;
    /// The object's programs and code with source lines.
    Code => "code", "Code", Object;
    /// Every CO-RE relocation against the kernel.
    Relocs => "relocs", "Relocations", Object;
    /// The object against every bundled kernel.
    Matrix => "matrix", "Matrix", Object;
    /// A failed load's log explained against the object.
    LoadLog => "loadlog", "Failed load", Object;
    /// One program's listing after relocation, as the verifier walks it.
    Flow => "flow", "Flow", Guarding;
    /// The same program as a graph of basic blocks.
    Graph => "graph", "Graph", Guarding;
    /// An access question: its CO-RE records, libbpf's answer, the answer across kernels.
    Ask => "ask", "Ask", Ask;
}

impl View {
    /// The view a URL's `view=` names.
    pub fn parse(s: &str) -> Option<View> {
        View::ALL.iter().copied().find(|v| v.label() == s)
    }

    /// Whether it relocates against the active kernel (and so needs one).
    pub fn needs_target(self) -> bool {
        matches!(
            self,
            View::Code | View::Relocs | View::Flow | View::Graph | View::LoadLog
        )
    }
}

/// The work areas; each has its own views (tabs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    /// A kernel's BTF: summary, types, layout, header, listing, comparison.
    Kernel,
    /// A BPF object against a kernel: code, relocations, matrix.
    Object,
    /// The verifier's view of the relocated programs.
    Guarding,
    /// Access questions: BPF C expressions → CO-RE records → answers, without a compiler.
    Ask,
}

impl Area {
    /// Every area, in the top bar's order.
    pub const ALL: [Area; 4] = [Area::Kernel, Area::Object, Area::Guarding, Area::Ask];

    /// The name shown.
    pub fn label(self) -> &'static str {
        match self {
            Area::Kernel => "Kernel",
            Area::Object => "Object",
            Area::Guarding => "Guarding",
            Area::Ask => "Ask",
        }
    }

    /// The URL spelling (`area=ask`).
    pub fn name(self) -> &'static str {
        match self {
            Area::Kernel => "kernel",
            Area::Object => "object",
            Area::Guarding => "guarding",
            Area::Ask => "ask",
        }
    }

    /// The area a URL's `area=` names.
    pub fn parse(s: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.name() == s)
    }

    /// The views of this area, in tab order.
    pub fn views(self) -> impl Iterator<Item = View> {
        View::ALL.iter().copied().filter(move |v| v.area() == self)
    }

    /// The view opened when switching to this area.
    pub fn first_view(self) -> View {
        self.views().next().unwrap_or_default()
    }

    /// Its place in per-area tables.
    pub fn index(self) -> usize {
        match self {
            Area::Kernel => 0,
            Area::Object => 1,
            Area::Guarding => 2,
            Area::Ask => 3,
        }
    }
}

/// Declares the query registry: the protocol's enums of every query and every answer, the
/// worker's dispatch, and each query's [`Registered`] conversions.
macro_rules! queries {
    ($($name:ident => $q:ty,)*) => {
        /// Every query, as it crosses to the worker (and as the cache's key).
        #[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
        pub enum AnyQuery {
            $(
                #[allow(missing_docs)]
                $name($q),
            )*
        }

        /// Every answer, as it crosses back.
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        pub enum AnyReply {
            $(
                #[allow(missing_docs)]
                $name(<$q as Query>::Reply),
            )*
        }

        impl AnyQuery {
            /// The kind's name (cache limits are per kind).
            pub fn kind(&self) -> &'static str {
                match self { $(AnyQuery::$name(_) => stringify!($name),)* }
            }

            /// How many answers of this kind the app keeps.
            pub fn keep(&self) -> usize {
                match self { $(AnyQuery::$name(_) => <$q as Query>::KEEP,)* }
            }

            /// Answers it in the engine; early parts go to `partial`.
            pub fn run(
                &self,
                session: &mut Session,
                partial: &mut dyn FnMut(AnyReply),
            ) -> Result<AnyReply, String> {
                match self {
                    $(AnyQuery::$name(q) => q
                        .run(session, &mut |r| partial(AnyReply::$name(r)))
                        .map(AnyReply::$name),)*
                }
            }
        }

        impl AnyReply {
            /// The answer itself, for the cache (which gives it back as its own type).
            pub fn into_any(self) -> std::rc::Rc<dyn std::any::Any> {
                match self { $(AnyReply::$name(r) => std::rc::Rc::new(r),)* }
            }
        }

        impl Payload for AnyReply {
            fn take_blobs(&mut self) -> Vec<Blob> {
                match self { $(AnyReply::$name(r) => r.take_blobs(),)* }
            }
            fn put_blobs(&mut self, blobs: Vec<Blob>) {
                match self { $(AnyReply::$name(r) => r.put_blobs(blobs),)* }
            }
        }

        $(
            impl Registered for $q {
                fn wrap(self) -> AnyQuery {
                    AnyQuery::$name(self)
                }
                fn unwrap(reply: AnyReply) -> Option<<$q as Query>::Reply> {
                    match reply {
                        AnyReply::$name(r) => Some(r),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }
        )*
    };
}

queries! {
    TypeDetail => kernel::TypeDetailQuery,
    Listing => kernel::ListingQuery,
    Header => kernel::HeaderQuery,
    Layout => kernel::LayoutQuery,
    Structs => structs::StructsQuery,
    Relocations => object::RelocQuery,
    Explain => object::ExplainQuery,
    Guard => object::GuardQuery,
    Matrix => object::MatrixQuery,
    Compare => object::CompareQuery,
    Ask => ask::AskQuery,
    Complete => ask::CompleteQuery,
    Across => ask::AcrossQuery,
    LoadLog => loadlog::LoadLogQuery,
    Where => catalog::WhereQuery,
    Select => catalog::SelectQuery,
}

#[cfg(target_arch = "wasm32")]
mod render {
    use yew::prelude::*;

    use super::View;
    use crate::components::ask_view::AskView;
    use crate::components::code_view::CodeView;
    use crate::components::compare_view::CompareView;
    use crate::components::guard_view::GuardView;
    use crate::components::header_view::HeaderView;
    use crate::components::layout_view::LayoutView;
    use crate::components::listing_view::ListingView;
    use crate::components::loadlog_view::LoadLogView;
    use crate::components::matrix_view::MatrixView;
    use crate::components::reloc_view::RelocView;
    use crate::components::struct_list::StructList;
    use crate::components::summary_view::SummaryView;
    use crate::components::type_detail::TypeDetailView;
    use crate::components::type_list::TypeList;
    use crate::components::where_view::WhereView;

    impl View {
        /// The tab's content (its area's inputs are loaded: a kernel, or an object).
        pub fn render(self) -> Html {
            match self {
                View::Summary => html! { <SummaryView /> },
                View::Types => html! {
                    <div class="split"><TypeList /><TypeDetailView /></div>
                },
                View::Layout => html! {
                    <div class="split"><StructList /><LayoutView /></div>
                },
                View::Header => html! { <HeaderView /> },
                View::Listing => html! { <ListingView /> },
                View::Compare => html! { <CompareView /> },
                View::Where => html! { <WhereView /> },
                View::Code => html! { <CodeView /> },
                View::Relocs => html! { <RelocView /> },
                View::Matrix => html! { <MatrixView /> },
                View::LoadLog => html! { <LoadLogView /> },
                View::Flow => html! { <GuardView graph=false /> },
                View::Graph => html! { <GuardView graph=true /> },
                View::Ask => html! { <AskView /> },
            }
        }
    }
}
