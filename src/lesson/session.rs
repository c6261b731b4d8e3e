//! The page's session: one state and the one way it changes. Everything shown is
//! a function of [`AppState`]; every change is an [`Action`] given to
//! [`AppState::reduce`]. Plain Rust: the page's Yew reducer (`ui::state`) only
//! calls it, handing it the browser's clock for loading in slices.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::lang::Lang;
use crate::lesson::branch::{Branch, Compared};
use crate::lesson::edit::Edit;
use crate::lesson::library::{library, Lesson, SANDBOX};
use crate::lesson::notice::{Notice, Notices};
use crate::lesson::quiz::{question_at, Question, Quiz, QuizAction};
use crate::lesson::scripts::{call_events, CallAt, Prepared, ScriptRun};
use crate::lesson::share::{self, ShareError, Shared, SharedBranch};
use crate::lesson::timeline::{Builder, Timeline};
use crate::net::link::LinkSettings;
use crate::net::TraceEvent;
use crate::net::{LinkId, SocketId, TraceKind, World};
use crate::script::{LineDetail, RunReport, ScriptError};
use crate::view::packets::{packets, Labels, Numbering, PacketInfo};
use crate::view::related::{linked, Doomed, Linked, Pick};
use crate::view::sequence::{seq_layout, SeqLayout};

/// What the page reads off a timeline: computed once when the timeline is
/// installed, not on every render, and shared (`Rc`) so the views' props compare
/// by identity.
pub struct Views {
    /// Every packet's story.
    pub packets: Rc<Vec<PacketInfo>>,
    /// The whole lesson placed on the sequence diagram.
    pub sequence: Rc<SeqLayout>,
    /// The trace, for the views that take it whole (the buffers panel).
    pub trace: Rc<Vec<TraceEvent>>,
    /// The packets the learner's edits doomed, by the event that doomed them.
    pub doomed: Rc<Doomed>,
}

impl Views {
    /// `world` is the lesson's world at any position: only its hosts and links,
    /// which do not change as the lesson runs, are read.
    fn of(timeline: &Timeline, world: &World) -> Views {
        let packets = packets(&timeline.trace);
        let sequence = seq_layout(&timeline.trace, &packets, world);
        Views {
            sequence: Rc::new(sequence),
            packets: Rc::new(packets),
            trace: Rc::new(timeline.trace.clone()),
            doomed: Rc::new(Doomed::of(&timeline.trace)),
        }
    }
}

pub struct AppState {
    pub lang: Lang,
    /// Every lesson the picker offers (loaded once).
    pub library: Rc<Vec<Lesson>>,
    pub lesson: Rc<Lesson>,
    /// Overrides a script's seed line.
    pub seed: Option<u64>,
    /// The script runner's report: per-line outcomes of the run shown.
    pub report: Option<Rc<RunReport>>,
    /// Where each line's call is in the report's trace (computed once per run).
    pub calls: Rc<Vec<CallAt>>,
    /// Trace events the script's set-up lines made: the report's trace index
    /// of the timeline's first event.
    pub setup_len: usize,
    /// The sandbox's text as last edited, and why it would not run.
    pub sandbox_text: Rc<str>,
    pub script_error: Option<ScriptError>,
    /// The learner's changes: faults and dropped packets, anchored in the
    /// run, in the order it applied them.
    pub edits: Vec<Edit>,
    pub timeline: Rc<Timeline>,
    /// What the views read off `timeline`, computed when it was installed.
    pub views: Rc<Views>,
    /// The events related to `picked` (highlighted in every view), computed when
    /// the pick or the timeline changes.
    pub linked: Rc<Linked>,
    /// Ticks done: 0 is before anything, `timeline.len()` the end.
    pub pos: usize,
    /// The world at `pos`.
    pub world: Rc<World>,
    pub playing: bool,
    /// Milliseconds between steps while playing.
    pub speed_ms: u32,
    pub selected_packet: Option<u64>,
    pub selected_socket: Option<SocketId>,
    /// The socket the learner chose (clicked it, or an event of it) and the
    /// position they chose it at: the panels stop following the sender whose
    /// window moves ([`AppState::followed_socket`]).
    pub socket_chosen: Option<(SocketId, usize)>,
    /// What the learner picked last (a packet, a call, a state change): its partners
    /// are highlighted in every view.
    pub picked: Option<Pick>,
    /// Problems to show (a bad shared link, a lesson that failed to build), in
    /// the page's language.
    pub notice: Option<Notices>,
    /// A lesson still being computed ([`Action::LoadMore`] goes on with it); the
    /// page shows the previous one meanwhile.
    pub loading: Option<Rc<Loading>>,
    /// The script line the learner's last console call became, and its text:
    /// the console shows that line's outcome, not the lesson's last call.
    pub console_line: Option<(usize, String)>,
    /// How seq and ack are shown: relative by default, as the script and
    /// Wireshark show them.
    pub numbering: Numbering,
    /// Quiz mode: on or off, this run's answers, every lesson's score.
    pub quiz: Quiz,
    /// The learner's what-if branches of this lesson (a branch's own state has none).
    pub branches: Vec<Branch>,
    /// The branch compared with this run, side by side; while one is, the
    /// learner's changes go to it and stepping moves both.
    pub compared: Option<usize>,
    /// The comparison of this run with the compared branch, made when either
    /// timeline is installed.
    pub compare: Option<Rc<Compared>>,
}

/// Units of timeline work (ticks) done at once when a lesson is loaded: every
/// built-in lesson fits, so it shows at once; a longer one goes on in slices.
pub const FIRST_SLICE: usize = 1_000;
/// Units of script work (world events and statements) done at once when a
/// lesson is loaded: every built-in lesson fits (the longest takes under 2,000).
pub const FIRST_SCRIPT_SLICE: u64 = 4_000;
/// Units of timeline work between looks at the clock within a slice.
const SLICE_UNITS: usize = 64;
/// Units of script work between looks at the clock (an event costs less than a tick).
const SCRIPT_SLICE_UNITS: u64 = 256;
/// Milliseconds of work per slice, then the browser gets its turn (input, a frame).
const SLICE_MS: f64 = 10.0;

/// A lesson whose script and timeline are being computed a slice at a time.
pub struct Loading {
    lesson: Rc<Lesson>,
    seed: Option<u64>,
    pos: usize,
    /// Taken when the timeline is complete.
    work: RefCell<Option<Work>>,
    slices: Cell<u32>,
}

/// The two halves of loading a lesson: its script runs (with the learner's
/// edits), then its timeline is built from the run.
enum Stage {
    Script { run: Box<ScriptRun>, edits: Vec<Edit> },
    Timeline { builder: Box<Builder>, report: Box<RunReport>, setup_len: usize },
}

struct Work {
    stage: Stage,
    /// The learner's edits (those on links the lesson has).
    edits: Vec<Edit>,
    notices: Vec<Notice>,
    /// The packets the learner's later changes name, to check in the run built.
    targets: Vec<Target>,
}

/// A packet a change of the learner's names by its number, as the run the
/// change was made in showed it. A new change before it alters the run after
/// it, and the number can then name another packet: the tour's drop of "hello"
/// (#4) fell on the handshake's ACK once the SYN before it was dropped too.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The change (by its anchor and packet).
    pub at: usize,
    pub packet: u64,
    /// The packet as it was: sender and label.
    pub from: crate::net::HostId,
    pub label: Labels,
}

impl Target {
    fn of(p: &PacketInfo, at: usize) -> Target {
        Target { at, packet: p.id, from: p.from, label: Labels::of(p, Numbering::Relative) }
    }

    /// Whether `packets` (a run's) still has this packet under its number.
    fn holds(&self, packets: &[PacketInfo]) -> bool {
        packets.iter().find(|p| p.id == self.packet).is_some_and(|p| Target::of(p, self.at) == *self)
    }
}

impl Work {
    fn new(run: ScriptRun, edits: Vec<Edit>) -> Work {
        Work {
            stage: Stage::Script { run: Box::new(run), edits },
            edits: Vec::new(),
            notices: Vec::new(),
            targets: Vec::new(),
        }
    }

    /// Starts building the timeline of the script's run, leaving out (and
    /// noting) edits on links the lesson does not have: a shared link may carry
    /// any link id.
    fn timeline(run: Prepared, edits: Vec<Edit>) -> Work {
        let Prepared { world, commands, report, later_edits, setup_len } = run;
        let has_link = |e: &Edit| e.link().is_none_or(|link| world.link(LinkId(link)).is_some());
        let (edits, ignored): (Vec<Edit>, Vec<Edit>) = edits.into_iter().partition(has_link);
        let later_edits: Vec<Edit> = later_edits.into_iter().filter(has_link).collect();
        let mut notices = Vec::new();
        if let Some(failure) = report.failures.first() {
            notices.push(if edits.is_empty() {
                Notice::ScriptStopped(failure.clone())
            } else {
                Notice::OutcomeChanged { changes: edits.len(), expectations: report.failures.len() }
            });
        }
        if !ignored.is_empty() {
            let mut links: Vec<u32> = ignored.iter().filter_map(Edit::link).collect();
            links.sort_unstable();
            links.dedup();
            notices.push(Notice::IgnoredEdits { count: ignored.len(), links });
        }
        let builder = Box::new(Builder::new(world, commands, &later_edits));
        Work {
            stage: Stage::Timeline { builder, report: Box::new(report), setup_len },
            edits,
            notices,
            targets: Vec::new(),
        }
    }

    /// Does at most `units` of work; the script's end starts the timeline.
    fn work(self, units: usize) -> Work {
        match self.stage {
            Stage::Script { mut run, edits } => {
                if run.run_for(units as u64) {
                    Work { targets: self.targets, ..Work::timeline(run.finish(), edits) }
                } else {
                    Work { stage: Stage::Script { run, edits }, ..self }
                }
            }
            Stage::Timeline { mut builder, report, setup_len } => {
                builder.work(units);
                Work { stage: Stage::Timeline { builder, report, setup_len }, ..self }
            }
        }
    }

    /// Works for about `ms` milliseconds of `clock` (milliseconds since any
    /// fixed moment), or until the timeline is complete.
    fn work_for(mut self, ms: f64, clock: &dyn Fn() -> f64) -> Work {
        let start = clock();
        while !self.is_done() {
            let units = match self.stage {
                Stage::Script { .. } => SCRIPT_SLICE_UNITS as usize,
                Stage::Timeline { .. } => SLICE_UNITS,
            };
            self = self.work(units);
            if clock() - start >= ms {
                break;
            }
        }
        self
    }

    fn is_done(&self) -> bool {
        matches!(&self.stage, Stage::Timeline { builder, .. } if builder.is_done())
    }

    /// (trace events or ticks computed, share done): the script's run is the
    /// first half of the bar, the timeline the second.
    fn progress(&self) -> (usize, f64) {
        match &self.stage {
            Stage::Script { run, .. } => (run.events(), run.fraction() / 2.0),
            Stage::Timeline { builder, .. } => (builder.ticks(), 0.5 + builder.fraction() / 2.0),
        }
    }
}

impl Loading {
    /// Slices done so far: changes with every one, for the page to schedule the next.
    pub fn slices(&self) -> u32 {
        self.slices.get()
    }

    /// (events or ticks computed, share of the work done, 0.0 to 1.0).
    pub fn progress(&self) -> (usize, f64) {
        self.work.borrow().as_ref().map_or((0, 1.0), Work::progress)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    SetLang(Lang),
    Forward,
    Back,
    Start,
    End,
    Seek(usize),
    TogglePlay,
    /// Milliseconds between steps while playing (clamped to 50..=5000).
    SetSpeed(u32),
    /// Show seq and ack relative or as sent.
    SetNumbering(Numbering),
    /// The play timer: one step, stopping at the end.
    PlayTick,
    SelectLesson(String),
    /// Run the sandbox with this script.
    RunSandbox(String),
    /// A console line: `host: call`, put into the script where the learner
    /// stands (see `AppState::with_console_line`) and run.
    ConsoleCall {
        host: String,
        line: String,
    },
    SelectPacket(Option<u64>),
    /// Pick trace event `event` (a note in the sequence diagram), go to `pos` and
    /// show `socket`, the one it is about, in the state machine.
    PickEvent {
        event: usize,
        pos: usize,
        socket: Option<SocketId>,
    },
    SelectSocket(Option<SocketId>),
    DropPacket(u64),
    SetLink {
        link: u32,
        settings: LinkSettings,
    },
    /// Cut a link or repair it, from now on.
    CutLink {
        link: u32,
        cut: bool,
    },
    /// Forget the learner's changes.
    ClearEdits,
    /// Restore a shared state (or report why it cannot be).
    Restore(Result<Option<Shared>, ShareError>),
    DismissNotice,
    /// The next slice of a lesson being computed.
    LoadMore,
    /// Quiz mode: turn it on or off, answer the question asked now (and step), reset the score.
    Quiz(QuizAction),
    /// Delay the packet in flight by so many µs (see [`Edit::Delay`]).
    DelayPacket {
        packet: u64,
        by: u64,
    },
    /// Have the link deliver the packet in flight twice.
    DuplicatePacket(u64),
    /// Branch the lesson here and compare the branch with the original.
    NewBranch,
    /// Compare this branch (`None`: none, the original alone).
    CompareBranch(Option<usize>),
    DeleteBranch(usize),
}

/// Starts the lesson's script and timeline (the first slice of each done).
fn run(lesson: &Lesson, seed: Option<u64>, edits: Vec<Edit>) -> Result<Work, ScriptError> {
    let mut work = Work::new(lesson.start(seed, &edits)?, edits);
    if matches!(work.stage, Stage::Script { .. }) {
        work = work.work(FIRST_SCRIPT_SLICE as usize);
    }
    if matches!(work.stage, Stage::Timeline { .. }) {
        work = work.work(FIRST_SLICE);
    }
    Ok(work)
}

/// The report's line that acted last before trace index `end` (a line that made
/// no event, such as an expectation, is not one).
pub fn current_line(report: &RunReport, end: usize) -> Option<usize> {
    report.lines.iter().rposition(|l| l.trace_start < end && l.trace_end > l.trace_start)
}

impl AppState {
    pub fn new(lang: Lang) -> AppState {
        let library = Rc::new(library());
        let first = library.first().cloned().unwrap_or_else(|| Lesson::sandbox(""));
        let text: Rc<str> = Rc::from(library.first().map_or("", Lesson::text));
        let mut s = AppState::blank(lang, library, text);
        s.load(Rc::new(first), None, Vec::new(), 0);
        s
    }

    fn blank(lang: Lang, library: Rc<Vec<Lesson>>, sandbox_text: Rc<str>) -> AppState {
        let timeline = Timeline::run(World::new(1), Vec::new(), &[]);
        let world = timeline.world_at(0);
        AppState {
            lang,
            library,
            lesson: Rc::new(Lesson::sandbox("")),
            seed: None,
            report: None,
            calls: Rc::default(),
            setup_len: 0,
            sandbox_text,
            script_error: None,
            edits: Vec::new(),
            views: Rc::new(Views::of(&timeline, &world)),
            linked: Rc::default(),
            world: Rc::new(world),
            timeline: Rc::new(timeline),
            pos: 0,
            playing: false,
            speed_ms: 700,
            selected_packet: None,
            selected_socket: None,
            socket_chosen: None,
            picked: None,
            notice: None,
            loading: None,
            console_line: None,
            numbering: Numbering::Relative,
            quiz: Quiz::default(),
            branches: Vec::new(),
            compared: None,
            compare: None,
        }
    }

    /// Runs `lesson` (with the learner's `edits`) and goes to `pos`; a long one
    /// is left [`AppState::loading`], the current lesson shown until it is done. On
    /// a script error the current lesson stays and the error is kept for the editor.
    pub fn load(&mut self, lesson: Rc<Lesson>, seed: Option<u64>, edits: Vec<Edit>, pos: usize) {
        self.load_checked(lesson, seed, edits, pos, Vec::new());
    }

    /// [`AppState::load`], checking that the `targets` of later changes are
    /// still the packets they were; a change whose packet is another is
    /// withdrawn, and the notice says so.
    fn load_checked(
        &mut self,
        lesson: Rc<Lesson>,
        seed: Option<u64>,
        edits: Vec<Edit>,
        pos: usize,
        targets: Vec<Target>,
    ) {
        if lesson.is_sandbox() {
            self.sandbox_text = Rc::from(lesson.text());
        }
        // A newer load replaces one still in progress.
        self.loading = None;
        match run(&lesson, seed, edits).map(|w| Work { targets, ..w }) {
            Ok(work) if work.is_done() => self.install(work, lesson, seed, pos),
            Ok(work) => {
                self.script_error = None;
                self.loading =
                    Some(Rc::new(Loading { lesson, seed, pos, work: RefCell::new(Some(work)), slices: Cell::new(0) }));
            }
            Err(e) => {
                self.notice = Some(Notices { lang: self.lang, items: vec![Notice::Build(e.clone())] });
                self.script_error = Some(e);
            }
        }
    }

    /// One more notice about the lesson just loaded: shown with the load's own
    /// once it is installed, if it is still being computed.
    fn add_notice(&mut self, notice: Notice) {
        match (&self.loading, &mut self.notice) {
            (Some(loading), _) => {
                if let Some(work) = loading.work.borrow_mut().as_mut() {
                    work.notices.push(notice);
                }
            }
            (None, Some(notices)) => notices.items.push(notice),
            (None, None) => self.notice = Some(Notices { lang: self.lang, items: vec![notice] }),
        }
    }

    /// Shows a lesson whose timeline is complete.
    fn install(&mut self, work: Work, lesson: Rc<Lesson>, seed: Option<u64>, pos: usize) {
        let Work { stage: Stage::Timeline { builder, report, setup_len }, edits, notices, targets } = work else {
            return;
        };
        let timeline = builder.finish();
        // Read off the trace only when a later change names a packet: every
        // load would pay for it (a lesson of 13,000 events).
        let moved: Vec<Target> = if targets.is_empty() {
            Vec::new()
        } else {
            let packets = crate::view::packets::packets(&timeline.trace);
            targets.into_iter().filter(|t| !t.holds(&packets)).collect()
        };
        if !moved.is_empty() {
            let named = |e: &Edit| moved.iter().any(|t| Some((t.at, t.packet)) == e.packet().map(|p| (e.at(), p)));
            let kept: Vec<Edit> = edits.into_iter().filter(|e| !named(e)).collect();
            let withdrawn = Notice::EditsWithdrawn(moved.iter().map(|t| (t.packet, t.label.clone())).collect());
            self.load(lesson, seed, kept, pos);
            self.add_notice(withdrawn);
            return;
        }
        let pos = pos.min(timeline.len());
        self.world = Rc::new(timeline.world_at(pos));
        self.views = Rc::new(Views::of(&timeline, &self.world));
        self.timeline = Rc::new(timeline);
        self.calls = Rc::new(call_events(&report));
        self.setup_len = setup_len;
        self.report = Some(Rc::from(report));
        self.lesson = lesson;
        self.seed = seed;
        // In the order the run applied them: by anchor, same-place ones as made.
        let mut edits = edits;
        edits.sort_by_key(Edit::at);
        self.edits = edits;
        self.pos = pos;
        self.playing = false;
        self.selected_packet = None;
        self.picked = None;
        self.linked = Rc::default();
        self.script_error = None;
        self.notice = (!notices.is_empty()).then_some(Notices { lang: self.lang, items: notices });
        // As stepping there would have chosen it (a shared link's position,
        // a run again with a change).
        self.socket_chosen = None;
        self.selected_socket = self.followed_socket();
        self.quiz.new_run();
    }

    /// One more slice of the lesson being computed, timed by `clock`; shown once
    /// it is complete.
    fn load_more(&self, clock: &dyn Fn() -> f64) -> Option<AppState> {
        let loading = self.loading.as_ref()?;
        let work = loading.work.borrow_mut().take()?.work_for(SLICE_MS, clock);
        loading.slices.set(loading.slices.get().wrapping_add(1));
        let mut s = self.copy();
        if work.is_done() {
            s.loading = None;
            s.install(work, loading.lesson.clone(), loading.seed, loading.pos);
        } else {
            *loading.work.borrow_mut() = Some(work);
        }
        Some(s)
    }

    fn reloaded(&self, lesson: Rc<Lesson>, seed: Option<u64>, edits: Vec<Edit>, pos: usize) -> AppState {
        self.reloaded_checking(lesson, seed, edits, pos, Vec::new())
    }

    /// [`AppState::reloaded`], checking that the `targets` of later changes
    /// are still the packets they were (see [`AppState::load_checked`]).
    fn reloaded_checking(
        &self,
        lesson: Rc<Lesson>,
        seed: Option<u64>,
        edits: Vec<Edit>,
        pos: usize,
        targets: Vec<Target>,
    ) -> AppState {
        let mut s = self.copy();
        s.console_line = None;
        // Branches are of one lesson: another lesson (a new script) starts without them.
        if !Rc::ptr_eq(&lesson, &self.lesson) {
            s.branches.clear();
            s.compared = None;
            s.compare = None;
        }
        s.load_checked(lesson, seed, edits, pos, targets);
        s
    }

    /// What a shared link restores.
    pub fn shared(&self) -> Shared {
        Shared {
            lesson: self.lesson.id.clone(),
            seed: self.seed,
            script: self.lesson.is_sandbox().then(|| self.lesson.text().to_string()),
            pos: self.pos,
            edits: self.edits.clone(),
            quiz: self.quiz.on,
            branches: self
                .branches
                .iter()
                .filter(|b| !b.companion)
                .map(|b| SharedBranch { from: b.from, edits: b.run.edits.clone(), lines: b.lines.clone() })
                .collect(),
            // The link counts the learner's branches only (the lesson brings its companion).
            compare: self
                .compared_branch()
                .filter(|b| !b.companion)
                .and_then(|b| Some((self.compared?.checked_sub(self.companions())?, b.run.pos))),
            bad_position: None,
        }
    }

    /// The question quiz mode asks now, about the next step (none while a lesson loads).
    pub fn question(&self) -> Option<Question> {
        if !self.quiz.on || self.loading.is_some() {
            return None;
        }
        question_at(&self.timeline, &self.views.packets, &self.world, self.pos)
    }

    pub fn fragment(&self) -> String {
        share::encode(&self.shared())
    }

    /// At the end of the lesson: of both runs while a branch is compared.
    pub fn at_end(&self) -> bool {
        match self.joint_step() {
            Some((step, last)) => step >= last,
            None => self.pos >= self.timeline.len(),
        }
    }

    /// While two runs are shown side by side: the joint step they are at, and
    /// the last. A step may move only one side (the other has nothing at that
    /// time), so the original's own count alone stood still while the other
    /// side went on.
    pub fn joint_step(&self) -> Option<(usize, usize)> {
        let (c, b) = (self.compare.as_ref()?, self.compared_branch()?);
        Some((c.step_of(self.pos, b.run.pos), c.steps.len().saturating_sub(1)))
    }

    /// While two runs are shown side by side: whether each moved in the joint
    /// step just taken (a step may move one side only; none at the start).
    pub fn joint_moved(&self) -> Option<(bool, bool)> {
        let (c, b) = (self.compare.as_ref()?, self.compared_branch()?);
        let j = c.step_of(self.pos, b.run.pos);
        let now = c.steps.get(j)?;
        Some(match j.checked_sub(1).and_then(|i| c.steps.get(i)) {
            Some(before) => (before.0 != now.0, before.1 != now.1),
            None => (false, false),
        })
    }

    /// The socket of the latest state or congestion-window change up to now,
    /// else the first TCP socket. Found by the state changes alone, the
    /// slow-start lesson opened on its receiver, whose window plot is flat.
    fn default_socket(&self) -> Option<SocketId> {
        let latest = self.timeline.trace_until(self.pos).iter().rev().find_map(|e| match e.kind {
            TraceKind::State { socket, .. } | TraceKind::Congestion { socket, .. } => Some(socket),
            _ => None,
        });
        latest.filter(|s| self.world.socket(*s).is_some()).or_else(|| {
            self.world
                .hosts()
                .flat_map(|(h, _)| self.world.sockets_on(h))
                .find(|v| v.protocol == crate::net::Protocol::Tcp || v.udp.is_some())
                .map(|v| v.id)
        })
    }

    pub(crate) fn with_pos(&self, pos: usize) -> AppState {
        let pos = pos.min(self.timeline.len());
        let world = if pos == self.pos {
            self.world.clone()
        } else if pos == self.pos + 1 {
            let mut w = (*self.world).clone();
            self.timeline.advance(&mut w, self.pos);
            Rc::new(w)
        } else {
            Rc::new(self.timeline.world_at(pos))
        };
        let mut s = AppState {
            lang: self.lang,
            library: self.library.clone(),
            lesson: self.lesson.clone(),
            seed: self.seed,
            report: self.report.clone(),
            calls: self.calls.clone(),
            setup_len: self.setup_len,
            sandbox_text: self.sandbox_text.clone(),
            script_error: self.script_error.clone(),
            edits: self.edits.clone(),
            timeline: self.timeline.clone(),
            views: self.views.clone(),
            linked: self.linked.clone(),
            pos,
            world,
            playing: self.playing && pos < self.timeline.len(),
            speed_ms: self.speed_ms,
            selected_packet: self.selected_packet,
            selected_socket: self.selected_socket,
            socket_chosen: self.socket_chosen,
            picked: self.picked,
            notice: self.notice.clone(),
            loading: self.loading.clone(),
            console_line: self.console_line.clone(),
            numbering: self.numbering,
            quiz: self.quiz.clone(),
            branches: self.branches.clone(),
            compared: self.compared,
            compare: self.compare.clone(),
        };
        s.selected_socket = s.followed_socket();
        s
    }

    /// The socket the panels show where the lesson stands: the action's. It
    /// is the socket of the latest step (since the learner's choice) whose
    /// state changed; until the learner chooses one, or whose congestion
    /// window moved (slow start's panel showed the receiver's flat window,
    /// the last socket to change state); else the learner's choice; else
    /// [`AppState::default_socket`]. It depends on the position and the
    /// choice alone, not on the way the learner came: a step reached back
    /// from the next one showed that step's socket (the tour with a lossy
    /// link: the server's SYN-RECEIVED beside the client's send()).
    fn followed_socket(&self) -> Option<SocketId> {
        let exists = |id: &SocketId| self.world.socket(*id).is_some();
        let since = self.socket_chosen.map_or(0, |(_, at)| at);
        let acted = (since + 1..=self.pos).rev().find_map(|p| {
            let events = self.timeline.events_of(p);
            let changed = |congestion: bool| {
                events.iter().find_map(|e| match e.kind {
                    TraceKind::State { socket, .. } if !congestion => Some(socket),
                    TraceKind::Congestion { socket, .. } if congestion => Some(socket),
                    _ => None,
                })
            };
            changed(false).or_else(|| changed(true).filter(|_| self.socket_chosen.is_none())).filter(exists)
        });
        acted.or(self.socket_chosen.map(|(id, _)| id).filter(exists)).or_else(|| self.default_socket())
    }

    /// Where an edit made now is anchored: after the trace events shown so far.
    fn anchor(&self) -> usize {
        self.timeline.trace_until(self.pos).len()
    }

    /// Re-runs the lesson with `edit` (anchored at [`AppState::anchor`]) and goes
    /// to the step right after it.
    fn with_edit(&self, edit: Edit) -> AppState {
        let same_place = self.edits.iter().filter(|e| e.at() == edit.at()).count();
        // The packets later changes name, as this run shows them.
        let targets: Vec<Target> = self
            .edits
            .iter()
            .filter(|e| e.at() > edit.at())
            .filter_map(|e| {
                let id = e.packet()?;
                self.views.packets.iter().find(|p| p.id == id).map(|p| Target::of(p, e.at()))
            })
            .collect();
        let mut edits = self.edits.clone();
        edits.push(edit);
        let mut s = self.reloaded_checking(self.lesson.clone(), self.seed, edits, self.pos + 1 + same_place, targets);
        s.selected_packet = self.selected_packet;
        s
    }

    /// The script with the learner's console line `typed` put where the
    /// learner stands: after the line that acted last by the current step (at
    /// the end when the run is over), so the call happens at that point of
    /// the program and the lines after it follow it. Returns the text and the
    /// new line's number.
    fn with_console_line(&self, typed: &str) -> (String, usize) {
        let text = self.lesson.text();
        let lines: Vec<&str> = text.lines().collect();
        let after = match &self.report {
            Some(r) if !self.at_end() => {
                let end = self.anchor() + self.setup_len;
                match current_line(r, end) {
                    Some(i) => r.lines.get(i).map_or(lines.len(), |l| l.line),
                    // Nothing has acted yet: after the set-up lines (hosts, links).
                    None => r
                        .lines
                        .iter()
                        .find(|l| !matches!(l.detail, LineDetail::Setup))
                        .map_or(lines.len(), |l| l.line.saturating_sub(1)),
                }
            }
            _ => lines.len(),
        };
        let after = after.min(lines.len());
        let mut out: Vec<&str> = lines[..after].to_vec();
        out.push(typed);
        out.extend_from_slice(&lines[after..]);
        (out.join("\n") + "\n", after + 1)
    }

    /// The position right after the console line's call returned.
    fn console_return_pos(&self) -> Option<usize> {
        let (line, _) = self.console_line.as_ref()?;
        let report = self.report.as_ref()?;
        let i = report.lines.iter().position(|l| l.line == *line)?;
        let returned = self.calls.get(i)?.returned?;
        Some(self.timeline.position_of_event(returned.checked_sub(self.setup_len)?))
    }

    /// The lesson being computed, by identity and slices done: the original's,
    /// else the compared branch's (the page asks for the next slice while there is one).
    pub fn pending_work(&self) -> Option<(usize, u32)> {
        let loading = self.loading.as_ref().or_else(|| self.compared_branch()?.run.loading.as_ref())?;
        Some((Rc::as_ptr(loading) as usize, loading.slices()))
    }

    fn is_in_flight(&self, packet: u64) -> bool {
        self.world.in_flight().iter().any(|(p, _, _)| p.id.0 == packet)
    }

    /// A lesson told side by side: its companion's run as the first branch,
    /// compared from the start (with the same seed).
    fn with_companion(mut self) -> AppState {
        let lesson = self.loading.as_ref().map_or_else(|| self.lesson.clone(), |l| l.lesson.clone());
        let Some(companion) = lesson.companion.as_ref() else { return self };
        let mut run = self.branch_run();
        run.load(companion.lesson.clone(), self.seed, Vec::new(), 0);
        self.branches.insert(0, Branch { from: 0, lines: Vec::new(), run: Rc::new(run), companion: true });
        self.compared = Some(0);
        self
    }

    /// How many branches are the lesson's companion (0 or 1, first).
    fn companions(&self) -> usize {
        self.branches.iter().take_while(|b| b.companion).count()
    }

    /// The branch compared with this run, if any.
    pub fn compared_branch(&self) -> Option<&Branch> {
        self.compared.and_then(|k| self.branches.get(k))
    }

    /// Another session of this lesson at this step, for a branch: no branches
    /// of its own, nothing playing, no notice.
    fn branch_run(&self) -> AppState {
        AppState { branches: Vec::new(), compared: None, compare: None, notice: None, playing: false, ..self.copy() }
    }

    /// The branch actions, and while a branch is compared the learner's changes
    /// (they go to the branch) and stepping (both runs, one cursor in simulated
    /// time). `None`: the action is the original's alone.
    fn reduce_branches(&self, action: &Action, clock: &dyn Fn() -> f64) -> Option<AppState> {
        match action {
            Action::NewBranch if self.loading.is_none() && self.branches.len() < share::MAX_BRANCHES => {
                let mut s = self.copy();
                s.branches.push(Branch {
                    from: self.pos,
                    lines: Vec::new(),
                    run: Rc::new(self.branch_run()),
                    companion: false,
                });
                s.compared = Some(s.branches.len() - 1);
                s.playing = false;
                return Some(s.settled(false));
            }
            Action::CompareBranch(k) => {
                let mut s = self.copy();
                s.compared = k.filter(|k| *k < self.branches.len());
                return Some(s.settled(false));
            }
            Action::DeleteBranch(k) if *k < self.branches.len() => {
                let mut s = self.copy();
                s.branches.remove(*k);
                s.compared = match s.compared {
                    Some(c) if c == *k => None,
                    Some(c) if c > *k => Some(c - 1),
                    other => other,
                };
                return Some(s.settled(false));
            }
            _ => {}
        }
        let k = self.compared?;
        let branch = self.branches.get(k)?;
        // A console line a shared link could not carry is not taken.
        if let Action::ConsoleCall { host, line } = action {
            let typed = host.len() + line.trim().len() + 2;
            if typed > share::MAX_CONSOLE_LINE_BYTES || branch.lines.len() >= share::MAX_BRANCH_LINES {
                return Some(self.copy());
            }
        }
        match action {
            Action::DropPacket(_)
            | Action::DelayPacket { .. }
            | Action::DuplicatePacket(_)
            | Action::SetLink { .. }
            | Action::CutLink { .. }
            | Action::ConsoleCall { .. }
            | Action::ClearEdits => {
                let run = if *action == Action::ClearEdits {
                    // Back to the original's changes: the branch as it was made
                    // (a companion: its own script, unchanged).
                    let companion = self.lesson.companion.as_ref().filter(|_| branch.companion);
                    Rc::new(match companion {
                        Some(c) => branch.run.reloaded(c.lesson.clone(), self.seed, Vec::new(), branch.run.pos),
                        None => branch.run.reloaded(self.lesson.clone(), self.seed, self.edits.clone(), branch.run.pos),
                    })
                } else {
                    branch.run.clone().reduce(action.clone(), clock)
                };
                let mut lines = if *action == Action::ClearEdits { Vec::new() } else { branch.lines.clone() };
                if matches!(action, Action::ConsoleCall { .. }) {
                    lines.extend(run.console_line.clone());
                }
                let mut s = self.copy();
                s.branches[k] = Branch { lines, run, ..branch.clone() };
                Some(s.settled(true))
            }
            Action::LoadMore if self.loading.is_none() => {
                let run = branch.run.clone().reduce(Action::LoadMore, clock);
                let mut s = self.copy();
                s.branches[k] = Branch { run, ..branch.clone() };
                Some(s.settled(true))
            }
            Action::Forward | Action::PlayTick | Action::Back | Action::Start | Action::End | Action::Seek(_) => {
                let c = self.compare.clone()?;
                let last = c.steps.len().saturating_sub(1);
                let j = c.step_of(self.pos, branch.run.pos);
                let target = match action {
                    Action::Forward | Action::PlayTick if j >= last => {
                        return Some(AppState { playing: false, ..self.copy() });
                    }
                    Action::Forward | Action::PlayTick => j + 1,
                    Action::Back => j.saturating_sub(1),
                    Action::Start => 0,
                    Action::End => last,
                    Action::Seek(p) => c.steps.iter().position(|&(x, _)| x >= *p).unwrap_or(last),
                    _ => j,
                };
                let (a, b) = c.steps.get(target).copied().unwrap_or((self.pos, branch.run.pos));
                let mut s = self.with_pos(a);
                s.branches[k].run = Rc::new(branch.run.with_pos(b));
                s.playing = self.playing && target < last;
                Some(s)
            }
            _ => None,
        }
    }

    /// The comparison made again if either run's timeline changed, and the two
    /// positions kept on one joint step: the branch's moved to the original's,
    /// or (`branch_moved`: the learner changed the branch) the other way.
    fn settled(mut self, branch_moved: bool) -> AppState {
        let Some((k, branch)) = self.compared.and_then(|k| Some((k, self.branches.get(k)?.clone()))) else {
            self.compared = None;
            self.compare = None;
            return self;
        };
        let c = match &self.compare {
            Some(c) if c.is_of(&self.timeline, &branch.run.timeline) => c.clone(),
            _ => Rc::new(Compared::of(&self, &branch.run)),
        };
        self.compare = Some(c.clone());
        let j = if branch_moved { c.step_of_branch(branch.run.pos) } else { c.step_of(self.pos, branch.run.pos) };
        let Some(&(a, b)) = c.steps.get(j) else { return self };
        let mut s = if a == self.pos { self } else { self.with_pos(a) };
        if b != branch.run.pos {
            s.branches[k].run = Rc::new(branch.run.with_pos(b));
        }
        s
    }

    /// The branches a shared link carries, each run from the original's lesson
    /// with its console lines put in and its changes.
    fn restore_branches(&mut self, shared: &Shared) {
        let text =
            self.loading.as_ref().map_or_else(|| self.lesson.text().to_string(), |l| l.lesson.text().to_string());
        let lesson = self.loading.as_ref().map_or_else(|| self.lesson.clone(), |l| l.lesson.clone());
        for b in &shared.branches {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            for (at, typed) in &b.lines {
                let i = at.saturating_sub(1).min(lines.len());
                lines.insert(i, typed.clone());
            }
            let lesson =
                if b.lines.is_empty() { lesson.clone() } else { Rc::new(Lesson::sandbox(&(lines.join("\n") + "\n"))) };
            let mut run = self.branch_run();
            run.load(lesson, shared.seed, b.edits.clone(), 0);
            run.console_line = b.lines.last().cloned();
            self.branches.push(Branch { from: b.from, lines: b.lines.clone(), run: Rc::new(run), companion: false });
        }
        let learners = self.companions();
        if let Some((k, pos)) =
            shared.compare.map(|(k, pos)| (k + learners, pos)).filter(|(k, _)| *k < self.branches.len())
        {
            self.compared = Some(k);
            self.branches[k].run = Rc::new(self.branches[k].run.with_pos(pos));
        }
    }

    /// The same state, unshared.
    pub fn copy(&self) -> AppState {
        self.with_pos(self.pos)
    }
}

impl AppState {
    /// The state after `action`; `self` when nothing changes (so the page does
    /// not redraw). `clock` (milliseconds since any fixed moment) times the
    /// slices of a lesson being loaded ([`Action::LoadMore`]).
    pub fn reduce(self: Rc<Self>, action: Action, clock: &dyn Fn() -> f64) -> Rc<Self> {
        if let Some(next) = self.reduce_branches(&action, clock) {
            return Rc::new(next.linked_after(&self));
        }
        let next = match action {
            Action::SetLang(lang) => {
                if lang == self.lang {
                    return self;
                }
                let notice = self.notice.clone().map(|n| Notices { lang, ..n });
                AppState { lang, notice, ..self.copy() }
            }
            Action::Forward | Action::PlayTick if self.at_end() => {
                if !self.playing {
                    return self;
                }
                AppState { playing: false, ..self.copy() }
            }
            Action::Forward | Action::PlayTick => self.with_pos(self.pos + 1),
            Action::Back => self.with_pos(self.pos.saturating_sub(1)),
            Action::Start => self.with_pos(0),
            Action::End => self.with_pos(self.timeline.len()),
            Action::Seek(p) => self.with_pos(p),
            Action::TogglePlay => {
                let mut s = if self.at_end() { self.with_pos(0) } else { self.copy() };
                s.playing = !self.playing;
                s
            }
            Action::SelectLesson(id) if id == SANDBOX => {
                // The sandbox starts from the lesson on screen, when it is a script.
                let text = self.lesson.text().to_string();
                self.reloaded(Rc::new(Lesson::sandbox(&text)), None, Vec::new(), 0)
            }
            Action::SelectLesson(id) => match self.library.iter().find(|l| l.id == id) {
                Some(l) => self.reloaded(Rc::new(l.clone()), None, Vec::new(), 0).with_companion(),
                None => return self,
            },
            Action::RunSandbox(text) => self.reloaded(Rc::new(Lesson::sandbox(&text)), self.seed, Vec::new(), 0),
            Action::ConsoleCall { host, line } => {
                let typed = format!("{host}: {}", line.trim());
                let (text, at) = self.with_console_line(&typed);
                let mut s = self.reloaded(Rc::new(Lesson::sandbox(&text)), self.seed, Vec::new(), usize::MAX);
                s.console_line = Some((at, typed));
                // Go to where the typed call has returned (or the end, if it never does).
                if s.loading.is_none() {
                    if let Some(pos) = s.console_return_pos() {
                        s = s.with_pos(pos);
                    }
                }
                s
            }
            Action::SetSpeed(ms) => AppState { speed_ms: ms.clamp(50, 5000), ..self.copy() },
            Action::SetNumbering(numbering) => AppState { numbering, ..self.copy() },
            Action::SelectPacket(p) => AppState { selected_packet: p, picked: p.map(Pick::Packet), ..self.copy() },
            Action::PickEvent { event, pos, socket } => {
                let mut s = self.with_pos(pos);
                s.picked = Some(Pick::Event(event));
                s.selected_packet = None;
                if let Some(sock) = socket.filter(|id| s.world.socket(*id).is_some()) {
                    s.selected_socket = Some(sock);
                    s.socket_chosen = Some((sock, s.pos));
                }
                s
            }
            Action::SelectSocket(s) => {
                AppState { selected_socket: s, socket_chosen: s.map(|id| (id, self.pos)), ..self.copy() }
            }
            Action::DropPacket(packet) if self.is_in_flight(packet) => {
                self.with_edit(Edit::Drop { at: self.anchor(), packet })
            }
            Action::DelayPacket { packet, by } if self.is_in_flight(packet) => {
                self.with_edit(Edit::Delay { at: self.anchor(), packet, by: by.min(share::MAX_LATENCY_US) })
            }
            Action::DuplicatePacket(packet) if self.is_in_flight(packet) => {
                self.with_edit(Edit::Duplicate { at: self.anchor(), packet })
            }
            Action::DropPacket(_) | Action::DelayPacket { .. } | Action::DuplicatePacket(_) => return self,
            // Handled by `reduce_branches` (or nothing to do).
            Action::NewBranch | Action::CompareBranch(_) | Action::DeleteBranch(_) => return self,
            Action::SetLink { link, settings } => self.with_edit(Edit::Link { at: self.anchor(), link, settings }),
            Action::CutLink { link, cut } => self.with_edit(Edit::Cut { at: self.anchor(), link, cut }),
            Action::ClearEdits => self.reloaded(self.lesson.clone(), self.seed, Vec::new(), self.pos),
            Action::Restore(Ok(None)) => return self,
            Action::Restore(Ok(Some(shared))) => {
                let quiz = shared.quiz;
                let bad_position = shared.bad_position.clone();
                let mut s = match (&shared.script, self.library.iter().find(|l| l.id == shared.lesson)) {
                    // A link to the sandbox without a script opens it as the
                    // lesson picker does: on the script of the lesson on screen.
                    (script, _) if shared.lesson == SANDBOX => {
                        let text = script.clone().unwrap_or_else(|| self.lesson.text().to_string());
                        let lesson = Rc::new(Lesson::sandbox(&text));
                        let mut s = self.reloaded(lesson, shared.seed, shared.edits.clone(), shared.pos);
                        s.restore_branches(&shared);
                        s
                    }
                    (_, Some(l)) => {
                        let mut s = self
                            .reloaded(Rc::new(l.clone()), shared.seed, shared.edits.clone(), shared.pos)
                            .with_companion();
                        s.restore_branches(&shared);
                        s
                    }
                    _ => AppState {
                        notice: Some(Notices { lang: self.lang, items: vec![Notice::UnknownLesson(shared.lesson)] }),
                        ..self.copy()
                    },
                };
                s.quiz.on = quiz;
                if let Some(e) = bad_position {
                    s.add_notice(Notice::PositionIgnored(e));
                }
                s
            }
            Action::Restore(Err(e)) => {
                AppState { notice: Some(Notices { lang: self.lang, items: vec![Notice::BadLink(e)] }), ..self.copy() }
            }
            Action::DismissNotice => AppState { notice: None, ..self.copy() },
            Action::LoadMore => match self.load_more(clock) {
                Some(s) => s,
                None => return self,
            },
            Action::Quiz(action) => {
                let (quiz, step) = self.quiz.after(action, &self.lesson.id, self.question());
                let mut s = if step { self.with_pos(self.pos + 1) } else { self.copy() };
                s.quiz = quiz;
                s
            }
        };
        Rc::new(next.settled(false).linked_after(&self))
    }

    /// `self` with the pick's partners made again when the pick changed since `before`.
    fn linked_after(mut self, before: &AppState) -> AppState {
        if self.picked != before.picked {
            self.linked = Rc::new(self.picked.map(|p| linked(&self.timeline.trace, p)).unwrap_or_default());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reducer with a clock that moves one millisecond each time it is
    /// read, so a slice of loading is a fixed amount of work, not of wall time.
    pub(super) trait Act {
        fn act(self, action: Action) -> Rc<AppState>;
    }

    impl Act for Rc<AppState> {
        fn act(self, action: Action) -> Rc<AppState> {
            let now = Cell::new(0.0);
            self.reduce(action, &|| {
                now.set(now.get() + 1.0);
                now.get()
            })
        }
    }
    use crate::net::tcp::state::TcpState;

    fn states(s: &AppState) -> Vec<Option<TcpState>> {
        s.world.hosts().flat_map(|(h, _)| s.world.sockets_on(h)).map(|v| v.state).collect()
    }

    #[test]
    fn stepping_forward_and_back_returns_to_the_same_world() {
        let mut s = Rc::new(AppState::new(Lang::En));
        let mut seen = vec![states(&s)];
        for _ in 0..12 {
            s = s.act(Action::Forward);
            seen.push(states(&s));
        }
        assert_eq!(s.pos, 12);
        for back in (0..12).rev() {
            s = s.act(Action::Back);
            assert_eq!(s.pos, back);
            assert_eq!(states(&s), seen[back]);
        }
        s = s.act(Action::End);
        assert!(s.at_end());
        let end = s.clone().act(Action::Forward);
        assert!(Rc::ptr_eq(&s, &end));
    }

    #[test]
    fn the_views_are_read_off_each_installed_timeline_and_the_pick_s_partners_follow_the_pick() {
        let s = Rc::new(AppState::new(Lang::En)).act(Action::SelectLesson("handshake".into()));
        assert_eq!(*s.views.packets, packets(&s.timeline.trace));
        assert_eq!(*s.views.sequence, seq_layout(&s.timeline.trace, &s.views.packets, &s.world));
        assert_eq!(*s.views.trace, s.timeline.trace);
        // Stepping keeps them (the same `Rc`s: the views' props compare by identity).
        let stepped = s.clone().act(Action::Forward);
        assert!(Rc::ptr_eq(&stepped.views, &s.views));
        let syn = s.views.packets.first().map(|p| p.id).expect("a packet");
        let picked = stepped.act(Action::SelectPacket(Some(syn)));
        assert!(picked.linked.has_packet(syn));
        assert_eq!(*picked.linked, linked(&picked.timeline.trace, Pick::Packet(syn)));
        // Another lesson: new views, and nothing picked.
        let other = picked.act(Action::SelectLesson("tour".into()));
        assert!(!Rc::ptr_eq(&other.views, &s.views) && !other.linked.has_packet(syn));
    }

    #[test]
    fn the_panels_follow_the_sender_whose_window_moves_until_the_learner_chooses_a_socket() {
        // Stepped through, slow_start's selection ended on the server's
        // accepted socket (the last to change state), whose cwnd plot is flat.
        let mut s = Rc::new(AppState::new(Lang::En)).act(Action::SelectLesson("slow_start".into()));
        let name = |s: &AppState| {
            let id = s.selected_socket.expect("a socket is selected");
            let v = s.world.hosts().flat_map(|(h, _)| s.world.sockets_on(h)).find(|v| v.id == id).expect("alive");
            (s.world.host(v.host).map(|h| h.name.clone()).unwrap_or_default(), v.fd)
        };
        for _ in 0..150 {
            s = s.act(Action::Forward);
        }
        assert_eq!(name(&s), ("client".to_string(), Some(3)), "the sender at step 150");
        // Opened at that step (a shared link), it is the sender too.
        let shared = Rc::new(AppState::new(Lang::En)).act(Action::Restore(share::decode("#lesson=slow_start&pos=150")));
        assert_eq!(shared.pos, 150);
        assert_eq!(name(&shared), ("client".to_string(), Some(3)));
        // The learner picks the server's connection: stepping on keeps it.
        let server = s.world.hosts().find(|(_, h)| h.name == "server").map(|(id, _)| id).expect("server");
        let conn = s.world.sockets_on(server).into_iter().find(|v| v.fd == Some(4)).map(|v| v.id);
        s = s.act(Action::SelectSocket(conn));
        for _ in 0..20 {
            s = s.act(Action::Forward);
        }
        assert_eq!(name(&s), ("server".to_string(), Some(4)));
    }

    /// The tour with a lossy link: step 10 reached forward showed the client's
    /// socket beside its send(); reached back from step 11 it showed the
    /// server's SYN-RECEIVED, for the selection followed the way the learner
    /// came. Every step of a few lessons, with and without faults and a
    /// learner's choice, shows one socket however it is reached.
    #[test]
    fn the_panels_show_one_socket_at_each_step_however_the_learner_reaches_it() {
        let fragments = [
            "#lesson=tour&pos=0&edits=8:link:0:0.3:0.0:0.0:10000",
            "#lesson=tour&pos=0&edits=24:link:0:0.0:0.5:0.0:10000",
            "#lesson=slow_start&pos=0",
            "#lesson=fast_retransmit&pos=0",
        ];
        for fragment in fragments {
            let start = Rc::new(AppState::new(Lang::En)).act(Action::Restore(share::decode(fragment)));
            assert_eq!(start.edits.len(), usize::from(fragment.contains("edits")), "{fragment}");
            let mut forward = vec![start.selected_socket];
            let mut s = start.clone();
            while !s.at_end() {
                s = s.act(Action::Forward);
                forward.push(s.selected_socket);
            }
            let chosen_at = s.pos / 2;
            for pos in (0..s.pos).rev() {
                s = s.act(Action::Back);
                assert_eq!(s.selected_socket, forward[pos], "{fragment}: step {pos}, reached back");
                let jumped = start.clone().act(Action::Seek(pos));
                assert_eq!(jumped.selected_socket, forward[pos], "{fragment}: step {pos}, jumped to");
                // Opened there by a link, too (every few steps: each builds the run).
                if pos % 9 == 0 {
                    let at = fragment.replace("pos=0", &format!("pos={pos}"));
                    let opened = Rc::new(AppState::new(Lang::En)).act(Action::Restore(share::decode(&at)));
                    assert_eq!(opened.selected_socket, forward[pos], "{at}");
                }
            }
            // The learner picks a socket half way: from there on, forward and
            // back agree too.
            let half = start.clone().act(Action::Seek(chosen_at));
            let other = half
                .world
                .hosts()
                .flat_map(|(h, _)| half.world.sockets_on(h))
                .map(|v| v.id)
                .find(|id| Some(*id) != half.selected_socket);
            let mut s = half.act(Action::SelectSocket(other));
            let mut seen = vec![s.selected_socket];
            while !s.at_end() {
                s = s.act(Action::Forward);
                seen.push(s.selected_socket);
            }
            for k in (0..seen.len() - 1).rev() {
                s = s.act(Action::Back);
                assert_eq!(s.selected_socket, seen[k], "{fragment}: chosen at {chosen_at}, step {}", chosen_at + k);
            }
        }
    }

    #[test]
    fn a_lesson_s_one_way_fault_is_shown_one_way_and_stays_so_when_the_delay_moves() {
        // tcp_reordering: `link client > server reorder 5%`. The controls said
        // "reorder 5%" for both ways, and moving the delay made the server's
        // ACKs reorder too.
        let s = Rc::new(AppState::new(Lang::En)).act(Action::SelectLesson("tcp_reordering".into()));
        let s = s.act(Action::Seek(3));
        let link = |s: &AppState| s.world.link(crate::net::LinkId(0)).cloned().expect("link");
        let l = link(&s);
        let names = |s: &AppState, column| {
            crate::view::topology::layout(&s.world, Lang::En, column).links[0].fault_lines(column).join(" | ")
        };
        assert_eq!(names(&s, false), "reorder 5% → server");
        // Stacked, the server is on top: client → server goes up, as the packets' pills say.
        assert_eq!(names(&s, true), "reorder 5% ↑");
        let note = crate::view::topology::one_way_note(&s.world, &l, Lang::En).expect("a note");
        assert!(note.starts_with("One way only, as the lesson set it: reorder 5% → server."), "{note}");
        let shown = LinkSettings::of(&l.dirs[0].config);
        let s = s
            .act(Action::SetLink { link: 0, settings: LinkSettings { latency_us: shown.latency_us + 1_000, ..shown } });
        let l = link(&s);
        assert_eq!((l.dirs[0].config.reorder, l.dirs[1].config.reorder), (0.05, 0.0));
        assert_eq!(l.dirs[1].config.latency_us, shown.latency_us + 1_000);
        assert_eq!(names(&s, false), "reorder 5% → server");
        // A lesson with both ways alike has no note.
        let t = Rc::new(AppState::new(Lang::En)).act(Action::SelectLesson("tour".into()));
        assert!(t.world.links().all(|(_, l)| crate::view::topology::one_way_note(&t.world, l, Lang::En).is_none()));
    }

    #[test]
    fn an_earlier_change_withdraws_a_later_one_whose_packet_it_made_another() {
        // A learner's review: the tour's "hello" (#4) dropped, then the SYN
        // (#1) before it: #4 became the handshake's ACK, silently dropped, and
        // "hello" arrived.
        let packet = |s: &AppState, label: &str| {
            s.world.in_flight().iter().find_map(|(p, _, _)| {
                let info = s.views.packets.iter().find(|i| i.id == p.id.0)?;
                (info.label(Lang::En, Numbering::Relative) == label).then_some(p.id.0)
            })
        };
        let at = |s: Rc<AppState>, label: &str| {
            let mut s = s.act(Action::Start);
            while packet(&s, label).is_none() {
                assert!(!s.at_end(), "{label} never in flight");
                s = s.act(Action::Forward);
            }
            s
        };
        let tour = Rc::new(AppState::new(Lang::En)).act(Action::SelectLesson("tour".into()));
        let s = at(tour, "PSH 5 bytes seq=1");
        let hello = packet(&s, "PSH 5 bytes seq=1").expect("hello");
        let s = s.act(Action::DropPacket(hello));
        assert_eq!(s.edits.len(), 1);
        // Going back and delaying the link keeps the drop: #4 is still "hello".
        let delayed = s.clone().act(Action::Seek(2)).act(Action::SetLink {
            link: 0,
            settings: LinkSettings { loss: 0.0, duplicate: 0.0, reorder: 0.0, latency_us: 12_000 },
        });
        assert_eq!(delayed.edits.len(), 2, "{:?}", delayed.edits);
        assert!(delayed
            .notice
            .as_ref()
            .is_none_or(|n| !n.items.iter().any(|i| matches!(i, Notice::EditsWithdrawn(_)))));
        // Dropping the SYN before it makes #4 another packet: the drop of
        // "hello" is withdrawn, and the notice names it.
        let s = at(s, "SYN seq=0");
        let syn = packet(&s, "SYN seq=0").expect("SYN");
        let s = s.act(Action::DropPacket(syn));
        assert_eq!(s.edits.iter().filter_map(Edit::packet).collect::<Vec<_>>(), vec![syn]);
        let notice = s.notice.as_ref().expect("a notice");
        assert!(
            notice.items.contains(&Notice::EditsWithdrawn(vec![(
                hello,
                Labels { en: "PSH 5 bytes seq=1".into(), ko: "PSH 5바이트 seq=1".into() }
            )])),
            "{notice}"
        );
        assert!(
            notice.to_string().contains("your later change to packet #4 (PSH 5 bytes seq=1) withdrawn"),
            "{notice}"
        );
        // "hello" arrives in the run now shown, and nothing else is dropped.
        let dropped = s.timeline.trace.iter().filter(|e| matches!(e.kind, TraceKind::Lost { .. })).count();
        assert_eq!(dropped, 1);
    }

    #[test]
    fn a_shared_fragment_restores_lesson_position_and_edits() {
        let s = Rc::new(AppState::new(Lang::En)).act(Action::Seek(5));
        let s = s.act(Action::SetLink {
            link: 0,
            settings: LinkSettings { loss: 0.2, duplicate: 0.0, reorder: 0.0, latency_us: 5_000 },
        });
        assert_eq!(s.pos, 6);
        let fragment = s.fragment();
        let r = Rc::new(AppState::new(Lang::Ko)).act(Action::Restore(share::decode(&fragment)));
        assert_eq!((r.pos, r.edits.clone(), &r.lesson.id), (s.pos, s.edits.clone(), &s.lesson.id));
        assert_eq!(r.timeline.trace, s.timeline.trace);
        let bad = r.clone().act(Action::Restore(share::decode("#lesson=nope")));
        assert!(bad.notice.as_ref().is_some_and(|n| n.to_string().contains("nope")));
        // The lesson picker's own name opens the sandbox, on the lesson on
        // screen, as choosing it does (it was "an unknown lesson").
        let sandbox = bad.act(Action::Restore(share::decode("#lesson=sandbox")));
        assert_eq!(sandbox.lesson.id, SANDBOX);
        assert!(sandbox.notice.is_none(), "{:?}", sandbox.notice);
        assert_eq!(sandbox.lesson.text(), r.lesson.text());
    }

    /// A mistyped position (`pos=-2`) lost the whole link: the page stayed on
    /// its first lesson. The lesson and its changes open, at the start, and
    /// a notice says the position was left out.
    #[test]
    fn a_link_with_a_bad_position_opens_its_lesson_at_the_start_and_says_so() {
        let link = share::decode("#lesson=handshake&pos=-2&edits=3:cut:0");
        let s = Rc::new(AppState::new(Lang::En)).act(Action::Restore(link));
        assert_eq!((s.lesson.id.as_str(), s.pos, s.edits.len()), ("handshake", 0, 1));
        let said = s.notice.as_ref().map(|n| n.to_string()).unwrap_or_default();
        assert!(said.contains("position “-2” is not a number in range; the lesson opens at its start"), "{said}");
        // Said too when the lesson is computed in slices, after it is shown.
        let long = share::decode("#lesson=slow_start&pos=x");
        let mut s = Rc::new(AppState::new(Lang::Ko)).act(Action::Restore(long));
        while s.pending_work().is_some() {
            s = s.act(Action::LoadMore);
        }
        assert_eq!(s.lesson.id, "slow_start");
        let said = s.notice.as_ref().map(|n| n.to_string()).unwrap_or_default();
        assert!(said.contains("레슨을 처음부터 엽니다"), "{said}");
    }

    #[test]
    fn a_teacher_s_link_opens_in_quiz_mode_and_an_answer_steps_and_reveals() {
        let link = share::decode("#lesson=connection_refused&quiz=1");
        let s = Rc::new(AppState::new(Lang::En)).act(Action::Restore(link));
        assert!(s.quiz.on && s.fragment().contains("&quiz=1"), "{}", s.fragment());
        // Step until the refused connect is asked about, answer it wrong.
        let mut s = s;
        let q = loop {
            match s.question() {
                Some(q) if q.answer() == Some(&crate::lesson::quiz::Answer::Fails(crate::net::Errno::ECONNREFUSED)) => {
                    break q
                }
                _ => s = s.act(Action::Forward),
            }
            assert!(!s.at_end(), "never asked");
        };
        let wrong = (q.right + 1) % q.choices.len();
        let at = s.pos;
        let s = s.act(Action::Quiz(QuizAction::Answer(wrong)));
        assert_eq!(s.pos, at + 1, "answering steps");
        assert!(s.quiz.revealed(s.pos).is_some_and(|a| !a.is_right()));
        assert_eq!(s.quiz.scores.of("connection_refused"), crate::lesson::quiz::Score { right: 0, wrong: 1 });
        // Another lesson: its own questions, the scores kept.
        let other = s.act(Action::SelectLesson("handshake".into()));
        assert!(other.quiz.on && other.quiz.answers.is_empty());
        assert_eq!(other.quiz.scores.of("connection_refused").wrong, 1);
        // A link without quiz=1 turns it off.
        let off = other.act(Action::Restore(share::decode("#lesson=handshake")));
        assert!(!off.quiz.on && off.question().is_none() && !off.fragment().contains("quiz"));
    }

    #[test]
    fn changes_on_links_the_lesson_lacks_are_left_out_and_counted() {
        let s = Rc::new(AppState::new(Lang::En));
        let link = share::decode("#lesson=tour&pos=3&edits=1:cut:7;2:link:9:0:0:0:1;2:cut:7;2:link:0:0.3:0:0:10000");
        let r = s.act(Action::Restore(link));
        let kept = vec![Edit::Link {
            at: 2,
            link: 0,
            settings: LinkSettings { loss: 0.3, duplicate: 0.0, reorder: 0.0, latency_us: 10_000 },
        }];
        assert_eq!(r.edits, kept);
        let notice = r.notice.clone().expect("a notice");
        // The loss that applies changes the tour's outcome; the rest are named.
        assert!(matches!(notice.items[0], Notice::OutcomeChanged { changes: 1, .. }), "{:?}", notice.items);
        assert_eq!(notice.items[1..], [Notice::IgnoredEdits { count: 3, links: vec![7, 9] }]);
        let en = notice.to_string();
        assert!(en.ends_with(" · 3 changes in the shared link ignored: this lesson has no link #7 or #9"), "{en}");
        // The notice follows the page's language.
        let ko = r.act(Action::SetLang(Lang::Ko));
        let ko_text = ko.notice.as_ref().map(ToString::to_string).unwrap_or_default();
        assert!(
            ko_text.ends_with("공유 링크의 변경 3개를 적용하지 않았습니다: 이 레슨에는 #7, #9 링크가 없습니다"),
            "{ko_text}"
        );
        // Only the changes that apply are shared on.
        assert!(!ko.fragment().contains(":7") && ko.fragment().contains("edits=2:link:0:0.3"), "{}", ko.fragment());
    }
}

#[cfg(test)]
mod script_tests {
    use super::*;

    use super::tests::Act;

    #[test]
    fn a_long_lesson_is_computed_in_slices_while_the_page_shows_the_last_one() {
        let mut text = String::from(
            "host server 10.0.0.1\nhost client 10.0.0.2\nlink client server latency 1ms\nserver: l = socket(tcp)\n\
             server: bind(l, 10.0.0.1:80) = 0\nserver: listen(l, 5) = 0\nserver: a = accept(l)\nclient: c = socket(tcp)\n\
             client: connect(c, 10.0.0.1:80) = 0\n",
        );
        for i in 0..300 {
            text.push_str(&format!("client: send(c, \"ping {i}\")\nserver: recv(a, 100)\n"));
        }
        let s = Rc::new(AppState::new(Lang::En)).act(Action::Seek(3));
        let mut next = s.clone().act(Action::RunSandbox(text.clone()));
        assert!(next.loading.is_some(), "{} steps were done at once", next.timeline.len());
        assert!(Rc::ptr_eq(&next.timeline, &s.timeline) && next.pos == 3, "the last lesson stays meanwhile");
        // The page goes on answering: a step while the lesson is computed.
        next = next.act(Action::Forward);
        assert_eq!(next.pos, 4);
        let mut slices = 0;
        while next.loading.is_some() {
            next = next.act(Action::LoadMore);
            slices += 1;
            assert!(slices < 10_000);
        }
        assert!(next.lesson.is_sandbox() && next.pos == 0 && next.script_error.is_none());
        let whole = match Lesson::sandbox(&text).build(None, &[]) {
            Ok(r) => Timeline::run(r.world, r.commands, &[]),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(next.timeline.trace, whole.trace);
        assert!(next.timeline.len() > FIRST_SLICE);
        // Nothing left to do: LoadMore changes nothing.
        assert!(Rc::ptr_eq(&next.clone().act(Action::LoadMore), &next));
    }

    #[test]
    fn script_lessons_load_and_a_broken_sandbox_keeps_the_page() {
        let s = Rc::new(AppState::new(Lang::En)).act(Action::SelectLesson("handshake".into()));
        assert_eq!(s.lesson.id, "handshake");
        assert!(s.report.as_ref().is_some_and(|r| r.passed()));
        assert!(s.timeline.len() > 5);
        let sandbox = s.act(Action::SelectLesson(SANDBOX.into()));
        assert!(sandbox.lesson.is_sandbox());
        assert_eq!(sandbox.timeline.trace, sandbox.clone().act(Action::Start).timeline.trace);
        let broken = sandbox.clone().act(Action::RunSandbox("host a 10.0.0.1\nbogus line here\n".into()));
        assert!(matches!(&broken.script_error, Some(e) if e.line == 2));
        assert!(Rc::ptr_eq(&broken.timeline, &sandbox.timeline));
        assert_eq!(&*broken.sandbox_text, "host a 10.0.0.1\nbogus line here\n");
        let called = sandbox.clone().act(Action::ConsoleCall { host: "client".into(), line: "x = socket(udp)".into() });
        // At the start of the run, the call goes right after the set-up lines,
        // and the page shows the step where it returned.
        let lines: Vec<&str> = called.sandbox_text.lines().collect();
        let at = lines.iter().position(|l| *l == "client: x = socket(udp)").expect("the line is in the script");
        assert!(lines[..at].iter().all(|l| !l.contains("socket(")), "{lines:?}");
        assert_eq!(called.console_line.as_ref().map(|c| c.0), Some(at + 1));
        let returned = called.timeline.events_of(called.pos).iter().any(|e| matches!(e.kind, TraceKind::Return { .. }));
        assert!(returned && !called.at_end(), "at {} of {}", called.pos, called.timeline.len());
        // At the end of the run, it goes at the end.
        let last = called.clone().act(Action::End);
        let twice = last.act(Action::ConsoleCall { host: "client".into(), line: "close(x)".into() });
        assert!(twice.sandbox_text.ends_with("client: close(x)\n"), "{}", twice.sandbox_text);
        let shared = broken.fragment();
        assert!(shared.contains("lesson=sandbox"), "{shared}");
        let notice = broken.notice.clone().expect("a notice");
        assert!(notice.to_string().starts_with("line 2, column 1: expected"), "{notice}");
        let ko = broken.act(Action::SetLang(Lang::Ko)).notice.clone().expect("a notice").to_string();
        assert!(ko.starts_with("스크립트 2행 1열: 여기에 와야 할 것: "), "{ko}");
    }

    #[test]
    fn a_script_that_stops_says_where_in_either_language() {
        let text = "host a 10.0.0.1\nhost b 10.0.0.2\nlink a b latency 1ms\na: s = socket(udp)\na: close(s) = 7\n";
        let s = Rc::new(AppState::new(Lang::En)).act(Action::RunSandbox(text.into()));
        let en = s.notice.as_ref().map(ToString::to_string).unwrap_or_default();
        assert_eq!(en, "line 5: an expectation failed: expected close(s) to return 7, got 0");
        let ko = s.act(Action::SetLang(Lang::Ko)).notice.as_ref().map(ToString::to_string).unwrap_or_default();
        assert_eq!(ko, "5행의 기대가 어긋났습니다 — 기대한 결과: close(s)의 반환값 7 · 실제 결과: 0");
        // A call left blocked at the end is no expectation of its line (it has
        // no "= …"): it read "an expectation failed: sandbox:6: expected
        // recv(s, 10) to return".
        // Its time is said as the page says times ("10 ms"), not as the
        // trace's column ("0.010000s").
        let text = "host a 10.0.0.1\nhost b 10.0.0.2\nlink a b\na: s = socket(udp)\na: send(s, \"x\")\n+10ms\n\
                    a: recv(s, 10)\na: close(s)\n";
        let s = Rc::new(AppState::new(Lang::En)).act(Action::RunSandbox(text.into()));
        let en = s.notice.as_ref().map(ToString::to_string).unwrap_or_default();
        assert_eq!(
            en,
            "line 7: a call never returned: expected recv(s, 10) to return, got call still pending at 10 ms and nothing left to happen"
        );
        let ko = s.act(Action::SetLang(Lang::Ko)).notice.as_ref().map(ToString::to_string).unwrap_or_default();
        assert!(ko.starts_with("7행의 호출이 끝내 반환되지 않았습니다 — ") && ko.contains("10 ms 시점에도"), "{ko}");
    }

    #[test]
    fn every_lesson_shows_at_once_without_a_loading_slice() {
        let mut s = Rc::new(AppState::new(Lang::En));
        for lesson in library() {
            s = s.act(Action::SelectLesson(lesson.id.clone()));
            assert!(s.loading.is_none() && s.lesson.id == lesson.id, "{} needs more than the first slice", lesson.id);
        }
    }
}
