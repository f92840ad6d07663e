//! The builtins and the standard-library modules as a program run by `mlpy run` sees them,
//! with the real binary and `python3`, byte for byte as the reference printed it (report §4,
//! §5): what introspection (`methods`, `help`) shows for modules, runtime objects and the
//! functions the runtime builds, and the errors of wrongly typed arguments (`regex`,
//! `datetime`), the same on every supported CPython.

mod support;

use support::{python, run, run_ok, stderr, stdout, Project};

#[test]
fn methods_lists_what_a_program_can_read_not_the_runtime_plumbing() {
    let program = r#"
import regex; import math; import datetime;
print(methods(regex.compile("a")));
print(methods(math));
m = methods(regex);
print(m.count("search"), m.count("MLObject"), m.count("ml_function"), m.count("ML_DESCRIPTION"));
d = methods(datetime.create(2024, 1, 2));
print(d.count("addDays"), d.count("ml_type"), d.count("ml_methods"), d.count("ml_description"));
"#;
    let expected = "\
['count', 'findall', 'finditer', 'flags', 'fullmatch', 'getFlags', 'getPattern', 'match', \
'pattern', 'search', 'split', 'sub', 'subn', 'test', 'toString']
['abs', 'acos', 'asin', 'atan', 'atan2', 'ceil', 'cos', 'degToRad', 'degrees', 'e', 'exp', \
'factorial', 'floor', 'gcd', 'lcm', 'ln', 'log', 'max', 'min', 'pi', 'pow', 'radToDeg', \
'radians', 'random', 'round', 'sign', 'sin', 'sqrt', 'tan']
1 0 0 0
1 0 0 0
";
    assert_eq!(run_ok(program), expected);
}

#[test]
fn help_gives_the_references_descriptions_and_capabilities() {
    let program = r#"
import regex; import datetime; import functional; import math;
p = regex.compile("(a)");
print(help(p.search));
print(help(p.search("a").group));
print(help(datetime.create(2024, 1, 2).addDays));
print(help(datetime.createDelta(1).totalHours));
print(help(datetime.createDate(2024, 1, 2).diff));
print(help(functional.compose(fn(x) => x)));
print(help(functional.memoize));
print(help(math.sqrt));
"#;
    let expected = "\
Search for pattern anywhere in string
Capabilities: None required
Get matched text or captured group
Capabilities: None required
Add days to datetime
Capabilities: None required
Get total hours
Capabilities: None required
Get difference in days between dates
Capabilities: None required
Composed function (right to left)
Capabilities: None required
Memoize function
Requires: functional.compose
Square root
Requires: math.compute
";
    assert_eq!(run_ok(program), expected);
}

#[test]
fn regex_errors_read_as_the_reference_printed_them_on_every_python() {
    // a replacement that is neither text nor a function is refused by `re` (not by the call
    // gate); a text that is not a string is named (3.9 and 3.10 left the type out); a bad
    // template is an `error` (3.13 renamed the class `PatternError`)
    let program = r#"
import regex;
function show(f) { try { f(); } except (e) { print(e.type + ": " + e.message); } }
show(fn() => regex.sub("a", 5, "aa"));
show(fn() => regex.compile("a").sub(null, "a"));
show(fn() => regex.search("a", 5));
show(fn() => regex.compile("a").findall(null));
show(fn() => regex.compile("a").sub('\9', "a"));
"#;
    let expected = "\
TypeError: decoding to str: need a bytes-like object, int found
TypeError: decoding to str: need a bytes-like object, NoneType found
TypeError: expected string or bytes-like object, got 'int'
TypeError: expected string or bytes-like object, got 'NoneType'
error: invalid group reference 9 at position 1
";
    assert_eq!(run_ok(program), expected);
}

#[test]
fn datetime_reports_a_wrong_type_with_pythons_error_and_an_invalid_date_with_its_own() {
    let program = r#"
import datetime;
function show(f) { try { f(); } except (e) { print(e.type + ": " + e.message); } }
d = datetime.create(2024, 1, 2);
show(fn() => d.format(5));
show(fn() => datetime.create(2024, 12 / 2, 1));
show(fn() => datetime.create(2024, 2, 30));
show(fn() => datetime.parseISO(null));
print(datetime.daysInMonth(2024, 13));
"#;
    let expected = "\
TypeError: strftime() argument 1 must be str, not int
TypeError: 'float' object cannot be interpreted as an integer
RuntimeError: Invalid datetime components: day is out of range for month
TypeError: fromisoformat: argument must be str
0
";
    assert_eq!(run_ok(program), expected);
}

#[test]
fn datetime_day_functions_take_dates_and_name_ml_types_when_given_something_else() {
    // Before: `'Date' object has no attribute '_dt'` — a private field of the runtime.
    let program = r#"
import datetime;
function show(f) { try { print(f()); } except (e) { print(e.type + ": " + e.message); } }
sat = datetime.createDate(2024, 3, 9);
mon = datetime.create(2024, 3, 11, 8);
show(fn() => [datetime.isWeekend(sat), datetime.isWeekday(sat), datetime.is_weekday(mon)]);
show(fn() => datetime.calculateAge(datetime.createDate(2000, 3, 10), sat));
show(fn() => datetime.businessDaysBetween(sat, datetime.createDate(2024, 3, 22)));
show(fn() => datetime.addBusinessDays(sat, 1).toISOString());
show(fn() => datetime.isWeekend(null));
show(fn() => datetime.calculateAge(1990));
show(fn() => mon.diff(sat));
show(fn() => mon.isBefore("2024"));
show(fn() => mon.add(5));
show(fn() => sat.diff({}));
show(fn() => datetime.createDelta(1).subtract(mon));
show(fn() => datetime.createDelta(1).multiply("2"));
"#;
    let expected = "\
[True, False, True]
23
10
2024-03-11
TypeError: datetime.isWeekend() expects a Date or a DateTimeObject, got null
TypeError: datetime.calculateAge() expects a Date or a DateTimeObject, got number
TypeError: DateTimeObject.diff() expects a DateTimeObject, got Date
TypeError: DateTimeObject.isBefore() expects a DateTimeObject, got string
TypeError: DateTimeObject.add() expects a TimeDelta, got number
TypeError: Date.diff() expects a Date or a DateTimeObject, got object
TypeError: TimeDelta.subtract() expects a TimeDelta, got DateTimeObject
TypeError: TimeDelta.multiply() expects a number, got string
";
    assert_eq!(run_ok(program), expected);
}

#[test]
fn an_uncaught_wrong_datetime_argument_is_an_ml_report_in_run_and_in_the_emitted_file() {
    let project = Project::new();
    project.file(
        "main.ml",
        "import datetime;\nd = datetime.createDate(2024, 3, 9);\nprint(datetime.isWeekend(d));\nprint(datetime.isWeekday(5));\n",
    );
    let expected_err = "\
main.ml:4: TypeError: datetime.isWeekday() expects a Date or a DateTimeObject, got number
ML traceback (most recent call last):
  main.ml:4 in <module>
";
    let out = project.mlpy(&["run", "main.ml"]);
    assert_eq!(
        (stdout(&out).as_str(), stderr(&out).as_str()),
        ("true\n", expected_err)
    );
    assert_eq!(out.status.code(), Some(1));
    let out = project.mlpy(&["transpile", "main.ml", "-o", "out.py"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut command = python();
    command
        .arg(project.path("out.py"))
        .current_dir(project.path("."));
    let out = run(command, None);
    assert_eq!(
        (stdout(&out).as_str(), stderr(&out).as_str()),
        ("true\n", expected_err)
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn an_error_without_a_message_is_reported_as_its_type_alone() {
    // Before: `main.ml:4: MemoryError: ` (an empty message after the colon). A range past
    // what any list can hold fails before allocating anything, on every machine.
    let project = Project::new();
    project.file(
        "main.ml",
        "import functional;\nn = 2000000000000000000;\ntry { functional.range(0, n); } except (e) { print(e.type, \"[\" + e.message + \"]\"); }\nx = functional.range(0, n);\n",
    );
    let out = project.mlpy(&["run", "main.ml"]);
    assert_eq!(
        (stdout(&out).as_str(), stderr(&out).as_str()),
        (
            "MemoryError []\n",
            "main.ml:4: MemoryError\nML traceback (most recent call last):\n  main.ml:4 in <module>\n"
        )
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn modules_lists_the_modules_the_program_imported_so_far() {
    // `file`, `csv`, `crypto` and `log` use `path`'s helpers inside the runtime: that loads
    // no module the program imported. Imports run where they stand, as in the reference.
    let program = r#"
print(modules());
import file; import csv; import crypto; import log;
print(modules(), module_info("path").loaded, module_info("file").loaded);
import path;
print(modules(), module_info("path").loaded);
"#;
    let expected = "\
['builtin']
['builtin', 'crypto', 'csv', 'file', 'log'] false true
['builtin', 'crypto', 'csv', 'file', 'log', 'path'] true
";
    assert_eq!(run_ok(program), expected);
}
