// @pyo3 0.25.1
// @expect error E0432: unresolved import

use pyo3::prelude::*;
// --8<-- [start:show]
use pyo3::PyClassGuard; // the guards arrive in 0.26
// --8<-- [end:show]
