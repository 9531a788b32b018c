//! Who is on duty at a site at an instant, and when coverage next starts.
//!
//! Pure: no I/O and no clock. Every query takes the instant it is about as an
//! argument, so the same question always gets the same answer and tests are tables of
//! literal date-times. Schedules are written in a site's local wall-clock time and
//! answered in real time; `local` owns how the two meet across daylight saving.

pub mod bounds;
pub mod closures;
pub mod gaps;
pub mod ids;
pub mod interval;
pub mod local;
pub mod overrides;
pub mod query;
pub mod recurrence;
pub mod rotation;
pub mod schedule;
pub mod week;

pub use bounds::{EARLIEST_YEAR, LATEST_YEAR};
pub use closures::{Closure, ClosureDates};
pub use gaps::{Gap, GapKind};
pub use ids::{IdError, PersonId, Role, SiteId, ZoneId};
pub use interval::Interval;
pub use local::{ClockTime, resolve_local, to_local};
pub use overrides::{BadMoment, Moment, Override, OverrideKind, OverrideSpec};
pub use query::{CoverageSegment, DutyInterval, coverage, is_open, next_opening, on_duty};
pub use recurrence::{CronRule, Recurrence, Weekdays};
pub use rotation::Rotation;
pub use schedule::{Availability, Shift, SiteSchedule, When};
pub use week::Window;
