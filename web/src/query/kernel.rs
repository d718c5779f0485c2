//! Questions about one loaded kernel: a type's detail, the raw listing, the header, a
//! struct's layout.

use serde::{Deserialize, Serialize};

use super::{Blob, Payload, Query};
use crate::document::Document;
use crate::dto::{HeaderDocument, TypeDetail};
use crate::session::header::HeaderRequest;
use crate::session::{Kernel, Session};
use crate::state::Workspace;
use crate::url::HeaderProfile;

pub(super) fn kernel(session: &Session, slot: u32) -> Result<&Kernel, String> {
    session
        .kernel(slot)
        .ok_or_else(|| format!("no kernel loaded in slot {slot}"))
}

/// One type of a kernel (`None`: no such id).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct TypeDetailQuery {
    /// The kernel.
    pub slot: u32,
    /// The type.
    pub id: u32,
}

impl TypeDetailQuery {
    /// The selected type of the active kernel.
    pub fn of(w: &Workspace) -> Option<TypeDetailQuery> {
        Some(TypeDetailQuery {
            slot: w.kernel.slot()?,
            id: w.kernel.selected?,
        })
    }
}

impl Query for TypeDetailQuery {
    type Reply = Option<TypeDetail>;
    const KEEP: usize = 16;

    fn run(&self, s: &mut Session, _: &mut dyn FnMut(Self::Reply)) -> Result<Self::Reply, String> {
        Ok(kernel(s, self.slot)?.type_detail(self.id))
    }
}

impl Payload for Option<TypeDetail> {}

/// The raw listing of a kernel, every `type_id` a link, every type's line an anchor.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ListingQuery {
    /// The kernel.
    pub slot: u32,
}

impl ListingQuery {
    /// The active kernel's listing.
    pub fn of(w: &Workspace) -> Option<ListingQuery> {
        Some(ListingQuery {
            slot: w.kernel.slot()?,
        })
    }
}

impl Query for ListingQuery {
    type Reply = Document;
    // 12 MB for 6.18.
    const KEEP: usize = 1;

    fn run(&self, s: &mut Session, _: &mut dyn FnMut(Self::Reply)) -> Result<Self::Reply, String> {
        Ok(Document::new(kernel(s, self.slot)?.raw_listing()))
    }
}

impl Payload for Document {
    fn take_blobs(&mut self) -> Vec<Blob> {
        std::mem::take(self).into_blobs()
    }
    fn put_blobs(&mut self, blobs: Vec<Blob>) {
        *self = Document::from_blobs(blobs);
    }
}

/// The generated header of a kernel in one profile, whole or for roots.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct HeaderQuery {
    /// The kernel.
    pub slot: u32,
    /// The bpftool build imitated.
    pub profile: HeaderProfile,
    /// Only these types and what they need (empty: the whole kernel).
    pub roots: Vec<String>,
    /// With roots: also the typedefs `bpf_helpers.h` needs.
    pub helpers: bool,
}

impl HeaderQuery {
    /// The header the view shows: the active kernel's, with the current settings.
    pub fn of(w: &Workspace) -> Option<HeaderQuery> {
        let h = &w.header;
        Some(HeaderQuery {
            slot: w.kernel.slot()?,
            profile: h.profile,
            roots: h.roots.clone(),
            helpers: h.helpers && !h.roots.is_empty(),
        })
    }
}

/// Lines of the header's first screen, sent before the whole header is done.
pub const FIRST_SCREEN_LINES: usize = 120;

impl Query for HeaderQuery {
    type Reply = HeaderDocument;
    // 2.8 MB of text for 6.18, plus its links.
    const KEEP: usize = 2;

    fn run(
        &self,
        s: &mut Session,
        partial: &mut dyn FnMut(Self::Reply),
    ) -> Result<Self::Reply, String> {
        let req = HeaderRequest {
            profile: self.profile.label(),
            roots: &self.roots,
            with_helpers: self.helpers,
        };
        let clock = s.clock();
        kernel(s, self.slot)?.header_document(req, FIRST_SCREEN_LINES, clock, partial)
    }
}

impl Payload for HeaderDocument {
    fn take_blobs(&mut self) -> Vec<Blob> {
        std::mem::take(&mut self.document).into_blobs()
    }
    fn put_blobs(&mut self, blobs: Vec<Blob>) {
        self.document = Document::from_blobs(blobs);
    }
}

/// pahole's layout of one struct or union.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct LayoutQuery {
    /// The kernel.
    pub slot: u32,
    /// The struct or union.
    pub id: u32,
}

impl LayoutQuery {
    /// The selected type of the active kernel.
    pub fn of(w: &Workspace) -> Option<LayoutQuery> {
        Some(LayoutQuery {
            slot: w.kernel.slot()?,
            id: w.kernel.selected?,
        })
    }
}

impl Query for LayoutQuery {
    type Reply = String;
    const KEEP: usize = 8;

    fn run(&self, s: &mut Session, _: &mut dyn FnMut(Self::Reply)) -> Result<Self::Reply, String> {
        kernel(s, self.slot)?.layout(&self.id.to_string())
    }
}

impl Payload for String {}
