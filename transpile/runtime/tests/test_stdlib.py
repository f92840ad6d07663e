"""Standard-library modules: exported names, and the behaviour the conformance programs rely
on (values as in the expected outputs)."""

import importlib
import io
import contextlib
import os
import unittest

from tests import support
from mlpy_runtime import SecurityError, attr, builtins as b
from mlpy_runtime import capabilities as caps
from mlpy_runtime.stdlib import (MODULES, args, collections, console, crypto, csv, datetime, env,
                                 file, functional, http, json, log, math, path, random, regex)


def out(fn, *a):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*a)
    return buf.getvalue()


class ExportsTest(unittest.TestCase):
    def test_every_module_exports_its_names(self):
        self.assertEqual(len(MODULES), 17)
        for name in MODULES:
            mod = importlib.import_module("mlpy_runtime.stdlib." + name)
            self.assertTrue(mod.__all__, name)
            self.assertEqual(len(mod.__all__), len(set(mod.__all__)), name)
            for n in mod.__all__:
                self.assertIs(attr(mod, n), getattr(mod, n))
                value = getattr(mod, n)
                if callable(value):
                    self.assertTrue(hasattr(value, "_ml_description"), "%s.%s" % (name, n))


class StdlibTest(unittest.TestCase):
    def setUp(self):
        self.saved = set(caps._granted)
        caps.grant(support.GRANTS)

    def tearDown(self):
        caps.revoke_all()
        caps._granted.update(self.saved)

    def test_console(self):
        self.assertEqual(out(console.log, "a", True, None, [1]), "a True None [1]\n")
        self.assertEqual(out(console.info, "x"), "INFO: x\n")
        self.assertEqual(out(console.debug, "x"), "DEBUG: x\n")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            console.error("e")
            console.warn("w")
        self.assertEqual(err.getvalue(), "e\nWARNING: w\n")

    def test_math(self):
        self.assertEqual(math.sqrt(-1), 0)
        self.assertEqual(math.ln(0), -999)
        self.assertEqual(math.round(math.log(100.0, 10.0)), 2)
        self.assertEqual(math.round(math.log(math.exp(5.0))), 2)   # base 10 by default
        self.assertEqual((math.round(3.5), math.round(-3.5), math.round(2.5)), (4, -4, 2))
        self.assertEqual(math.pow(2.0, -1.0), 0.5)
        self.assertEqual((math.floor(-3.5), math.ceil(-3.5)), (-4, -3))
        self.assertEqual((math.factorial(6), math.factorial(-1)), (720, 0))
        self.assertEqual((math.gcd(12, 8), math.lcm(4, 6), math.lcm(7, 13)), (4, 12, 91))
        self.assertEqual((math.sign(-42.0), math.sign(0.0)), (-1, 0))
        self.assertEqual((math.min(2.0, 5.0), math.max(-5.0, -2.0)), (2.0, -2.0))
        self.assertAlmostEqual(math.degrees(math.radians(90)), 90)
        self.assertEqual(math.exp(1e6), float("inf"))

    def test_json(self):
        self.assertEqual(json.stringify({"a": [1, True, None]}), '{"a": [1, true, null]}')
        self.assertEqual(json.stringify(True), "true")
        self.assertEqual(json.parse('{"x": 42}'), {"x": 42})
        with self.assertRaises(ValueError) as cm:
            json.parse("{bad")
        self.assertTrue(str(cm.exception).startswith("JSON parsing failed: "))
        self.assertEqual((json.validate("[1, 2,]"), json.validate("42")), (False, True))
        self.assertIn("\n    ", json.prettyPrint({"a": 1}))
        self.assertIn("\n  ", json.prettyPrint({"a": 1}, 2))
        with self.assertRaises(ValueError):
            json.safeParse("[[[1]]]", 1)
        self.assertEqual(json.merge({"a": 1}, {"b": 2, "a": 3}), {"a": 3, "b": 2})
        self.assertEqual(json.get({"a": 1}, "b", 0), 0)
        self.assertTrue(json.isNumber(1) and not json.isNumber(True))

    def test_collections(self):
        self.assertEqual(collections.reduce([1, 2, 3], support.ml(lambda a, x: a + x), 0), 6)
        self.assertEqual(collections.unique([1, [2], 1, [2]]), [1, [2]])
        self.assertEqual(collections.flatten([[1, 2], 3, [4]]), [1, 2, 3, 4])
        self.assertEqual(collections.zip([1, 2], ["a", "b"]), [(1, "a"), (2, "b")])
        self.assertEqual(collections.chunk([1, 2, 3, 4, 5], 3), [[1, 2, 3], [4, 5]])
        self.assertEqual(collections.chunk([1], 0), [])
        self.assertEqual(collections.sort([3, 1, 2], True), [3, 2, 1])
        self.assertEqual(collections.removeAt([1, 2], 5), [1, 2])
        self.assertEqual((collections.indexOf([1], 9), collections.get([1], 4)), (-1, None))

    def test_functional(self):
        self.assertEqual(functional.compose(support.ml(lambda x: x * 2), support.ml(lambda x: x + 1))(5), 12)
        self.assertEqual(functional.pipe(support.ml(lambda x: x * 2), support.ml(lambda x: x + 1))(5), 11)
        self.assertEqual(functional.curry(support.ml(lambda a, b, c: a + b + c))(1)(2)(3), 6)
        self.assertEqual(functional.curry2(support.ml(lambda a, b: a * b))(3)(4), 12)
        self.assertEqual(functional.partition(support.ml(lambda x: x % 2 == 0), [1, 2, 3, 4]), [[2, 4], [1, 3]])
        self.assertEqual(functional.times(3, support.ml(lambda i: i * i)), [0, 1, 4])
        self.assertEqual(functional.zipWith(support.ml(lambda a, b: a + b), [1, 2], [10, 20]), [11, 22])
        self.assertEqual(functional.takeWhile(support.ml(lambda x: x < 3), [1, 2, 5, 1]), [1, 2])
        self.assertEqual(functional.juxt([b.abs, b.str])(-1), [1, "-1"])
        self.assertEqual(functional.cond([[support.ml(lambda x: x > 0), support.ml(lambda x: "pos")]])(-1), None)
        self.assertEqual(functional.reduce(support.ml(lambda a, x: a + x), [1, 2, 3]), 6)
        self.assertEqual(functional.groupBy(b.len, ["a", "bb", "c"]), {1: ["a", "c"], 2: ["bb"]})
        self.assertEqual(functional.range(2, 8, 3), [2, 5])
        self.assertEqual(functional.chunk(2, [1, 2, 3]), [[1, 2], [3]])

    def test_random(self):
        random.setSeed(42)
        a = [random.randomInt(1, 10) for _ in range(20)]
        random.setSeed(42)
        self.assertEqual(a, [random.randomInt(1, 10) for _ in range(20)])
        self.assertTrue(all(1 <= x < 10 for x in a))
        self.assertIsNone(random.choice([]))
        self.assertEqual(sorted(random.shuffle([1, 2, 3])), [1, 2, 3])
        self.assertEqual(sorted(random.sample([1, 2], 5)), [1, 2])
        self.assertEqual(len(random.sample([1, 2, 3, 4], 2)), 2)

    def test_regex(self):
        m = regex.compile(r"(?P<y>\d{4})-(?P<m>\d{2})").search("on 2025-10 ok")
        self.assertEqual((m.group(), m.group("y"), m.group(9)), ("2025-10", "2025", None))
        self.assertEqual(m.groupDict(), {"y": "2025", "m": "10"})
        self.assertEqual((m.span(), m.span(9), m.groupCount()), ([3, 10], [-1, -1], 2))
        self.assertEqual(m.toString(), "Match(value='2025-10', span=[3, 10])")
        p = regex.compile("^erro", regex.IGNORECASE() + regex.MULTILINE())
        self.assertEqual(p.toString(), "Pattern('^erro', flags=IGNORECASE | MULTILINE)")
        self.assertEqual(len(p.findall("Error\nerror\nok")), 2)
        self.assertEqual(regex.escape("a.b"), r"a\.b")
        self.assertFalse(regex.isValid("(unclosed"))
        with self.assertRaises(ValueError) as cm:
            regex.compile("(unclosed")
        self.assertTrue(str(cm.exception).startswith("Invalid regex pattern '(unclosed': "))
        self.assertEqual(regex.subn(r"\d", "#", "a1b2"), {"result": "a#b#", "count": 2})
        self.assertEqual(b.typeof(p), "Pattern")

    def test_regex_replacement_that_is_neither_text_nor_function(self):
        # re refuses it in its own words, as in the reference; it is not called
        for f, args in ((regex.sub, ("a", 5, "aa")), (regex.subn, ("a", None, "b")),
                        (regex.compile("a").sub, (5, "aa"))):
            with self.assertRaises(TypeError) as cm:
                f(*args)
            self.assertTrue(str(cm.exception).startswith("decoding to str: need a bytes-like "
                                                         "object, "), str(cm.exception))

    def test_datetime(self):
        dt = datetime.create(2025, 10, 5, 14, 30)
        self.assertEqual((dt.year(), dt.weekday(), dt.toISOString()), (2025, 6, "2025-10-05T14:30:00"))
        self.assertEqual(dt.date().toISOString(), "2025-10-05")
        self.assertEqual(dt.addDays(1).day(), 6)
        d = datetime.createDelta(1, 2, 30, 0)
        self.assertEqual((d.days(), d.seconds(), d.totalHours()), (1, 9000, 26.5))
        self.assertEqual(datetime.createDate(2025, 3, 10).diff(datetime.createDate(2025, 3, 1)), 9)
        with self.assertRaises(RuntimeError) as cm:
            datetime.create(2025, 2, 30)
        self.assertEqual(str(cm.exception), "Invalid datetime components: day is out of range for month")

    def test_datetime_wrong_types_are_python_errors_as_in_the_reference(self):
        # only an invalid value is wrapped ("Invalid datetime components: ..."); a wrong type
        # is Python's own error, and daysInMonth gives 0 only for an invalid month
        for f, args in ((datetime.create, ("2024", 1, 1)), (datetime.createDate, (2024, None, 1)),
                        (datetime.createTime, ("1",)), (datetime.parseISO, (5,)),
                        (datetime.daysInMonth, ("2024", 2))):
            with self.assertRaises(TypeError):
                f(*args)
        self.assertEqual(datetime.daysInMonth(2024, 13), 0)
        self.assertEqual(datetime.createTimeZone(5, 30), {"hours": 5, "minutes": 30, "name": "UTC+5:30"})
        self.assertEqual((datetime.daysInMonth(2024, 2), datetime.isLeapYear(2025)), (29, False))
        self.assertEqual(datetime.utc(), "UTC")
        self.assertEqual(b.typeof(datetime.now(datetime.utc())), "DateTimeObject")
        self.assertEqual(b.typeof(datetime.today()), "Date")

    def test_datetime_day_functions_take_a_date_or_a_datetime(self):
        sat, mon = datetime.createDate(2024, 3, 9), datetime.create(2024, 3, 11, 8)
        self.assertEqual([datetime.isWeekend(sat), datetime.isWeekday(sat),
                          datetime.is_weekend(mon), datetime.is_weekday(mon)],
                         [True, False, False, True])
        self.assertEqual(datetime.calculateAge(datetime.createDate(2000, 3, 10), sat), 23)
        self.assertEqual(datetime.calculateAge(datetime.create(2000, 3, 9), sat), 24)
        self.assertEqual(datetime.businessDaysBetween(sat, datetime.createDate(2024, 3, 22)), 10)
        self.assertEqual(datetime.business_days_between(mon, sat), 1)  # inclusive, either order
        # a Date stays a Date, a datetime keeps its time of day
        self.assertEqual(datetime.addBusinessDays(sat, 1).toISOString(), "2024-03-11")
        self.assertEqual(datetime.addBusinessDays(mon, -1).toISOString(), "2024-03-08T08:00:00")
        self.assertEqual(datetime.createDate(2024, 3, 12).diff(mon), 1)
        self.assertTrue(mon.isSameDay(datetime.createDate(2024, 3, 11)))

    def test_datetime_wrong_arguments_name_ml_types_not_private_fields(self):
        dt, delta = datetime.create(2024, 1, 1), datetime.createDelta(1)
        day = datetime.createDate(2024, 1, 1)
        either, moment, duration = "a Date or a DateTimeObject", "a DateTimeObject", "a TimeDelta"
        cases = (
            (datetime.isWeekend, (5,), "datetime.isWeekend()", either, "number"),
            (datetime.isWeekday, (None,), "datetime.isWeekday()", either, "null"),
            (datetime.calculateAge, ("1990",), "datetime.calculateAge()", either, "string"),
            (datetime.businessDaysBetween, (day, delta), "datetime.businessDaysBetween()",
             either, "TimeDelta"),
            (datetime.addBusinessDays, ([], 1), "datetime.addBusinessDays()", either, "array"),
            (dt.add, (5,), "DateTimeObject.add()", duration, "number"),
            (dt.subtract, (None,), "DateTimeObject.subtract()", duration, "null"),
            (dt.diff, (day,), "DateTimeObject.diff()", moment, "Date"),
            (dt.isBefore, ("2024",), "DateTimeObject.isBefore()", moment, "string"),
            (dt.isAfter, ({},), "DateTimeObject.isAfter()", moment, "object"),
            (dt.isSame, (delta,), "DateTimeObject.isSame()", moment, "TimeDelta"),
            (dt.isSameDay, (None,), "DateTimeObject.isSameDay()", either, "null"),
            (day.diff, (3,), "Date.diff()", either, "number"),
            (delta.add, (dt,), "TimeDelta.add()", duration, "DateTimeObject"),
            (delta.subtract, (1.5,), "TimeDelta.subtract()", duration, "number"),
            (delta.multiply, ("x",), "TimeDelta.multiply()", "a number", "string"),
        )
        for f, a, where, expects, got in cases:
            text = "%s expects %s, got %s" % (where, expects, got)
            with self.subTest(text):
                with self.assertRaises(TypeError) as cm:
                    f(*a)
                self.assertEqual(str(cm.exception), text)
        self.assertEqual(delta.multiply(1.5).totalHours(), 36.0)

    def test_file_and_path(self):
        with support.TempDir() as d:
            p = path.join(d, "a", "b.txt")
            file.write(p, "x\ny\n")
            self.assertEqual(file.readLines(p), ["x", "y"])
            file.append(p, "z")
            self.assertEqual(file.read(p), "x\ny\nz")
            self.assertEqual(file.size(p), 5)
            file.copy(p, path.join(d, "c.txt"))
            file.move(path.join(d, "c.txt"), path.join(d, "e", "d.txt"))
            self.assertEqual(path.walk(d), ["a/b.txt", "e/d.txt"])
            self.assertEqual(path.listDir(d), ["a", "e"])
            with self.assertRaises(ValueError):
                file.delete(path.join(d, "a"))
            self.assertFalse(file.delete(path.join(d, "none")))
            path.createDir(path.join(d, "n", "m"))
            path.removeDir(path.join(d, "n", "m"))
            path.removeDirRecursive(path.join(d, "e"))
            self.assertFalse(path.exists(path.join(d, "e")))
        self.assertEqual(path.extname("a.tar.gz"), ".gz")
        self.assertEqual(path.normalize("/path/./to/../file"), "/path/file")
        self.assertEqual(path.split("/path/to/x.txt"), ["/path/to", "x.txt"])

    def test_only_the_own_home_is_expanded(self):
        # `~name` would read the password database (another account's home, whether it
        # exists): no grant allows that, so it is a plain name like any other.
        home = os.path.expanduser("~")
        self.assertEqual(path.absolute("~"), home)
        self.assertEqual(path.absolute("~/x"), os.path.join(home, "x"))
        for other in ["~root", "~nobody", "~daemon/x", "~nosuchuser"]:
            self.assertEqual(path.absolute(other), os.path.join(os.getcwd(), other))
            self.assertFalse(path.exists(other), other)
            self.assertFalse(file.exists(other), other)
            self.assertFalse(path.isDirectory(other), other)

    def test_temp_dir_looks_without_writing_and_names_no_value(self):
        # `tempfile.gettempdir` writes a file in each place it tries (a `file.write` the
        # sandbox refuses) and its error lists every place, environment values included
        saved = {k: os.environ.get(k) for k in ("TMPDIR", "TEMP", "TMP")}
        system = path._SYSTEM_TEMP
        try:
            with support.TempDir() as d:
                not_a_folder = os.path.join(d, "secret-value")
                with open(not_a_folder, "w"):
                    pass
                os.environ["TMPDIR"] = not_a_folder
                os.environ["TEMP"] = os.path.join(d, "missing-secret")
                os.environ["TMP"] = d
                self.assertEqual(path.tempDir(), d)
                del os.environ["TMP"]
                path._SYSTEM_TEMP = (os.path.join(d, "also-missing-secret"), d)
                self.assertEqual(path.tempDir(), d)
                path._SYSTEM_TEMP = (os.path.join(d, "also-missing-secret"),)
                with self.assertRaises(FileNotFoundError) as caught:
                    path.tempDir()
                self.assertNotIn("secret", str(caught.exception))
                self.assertNotIn(d, str(caught.exception))
        finally:
            path._SYSTEM_TEMP = system
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def test_http_helpers(self):
        self.assertEqual(http.encodeURI("a b/c"), "a%20b/c")
        self.assertEqual(http.decodeURI("a%20b"), "a b")
        self.assertEqual(http.encodeQuery({"q": "x y", "n": 1}), "q=x+y&n=1")
        self.assertEqual(http.parseQuery("?a=1&b=2&b=3"), {"a": "1", "b": ["2", "3"]})
        with self.assertRaises(SecurityError):  # only http(s) URLs: see test_http.py
            http.get("not a url")
        self.assertEqual(http.DEFAULT_TIMEOUT, 30)
        r = http.HttpResponse(404, "Not Found", {}, '{"a": 1}')
        self.assertEqual((r.ok(), r.json(), b.typeof(r)), (False, {"a": 1}, "HttpResponse"))

    def test_env(self):
        env.set("MLPY_RT_TEST", 12)
        self.assertEqual(env.get("MLPY_RT_TEST"), "12")
        self.assertEqual((env.get_int("MLPY_RT_TEST"), env.get_float("MLPY_RT_TEST")), (12, 12.0))
        env.set("MLPY_RT_TEST", "Yes")
        self.assertTrue(env.get_bool("MLPY_RT_TEST"))
        env.delete("MLPY_RT_TEST")
        self.assertFalse(env.has("MLPY_RT_TEST"))
        with self.assertRaises(RuntimeError) as cm:
            env.require("MLPY_RT_TEST")
        self.assertEqual(str(cm.exception), "Required environment variable not set: MLPY_RT_TEST")

    def test_args(self):
        p = args.create_parser("My Tool", "Does cool things")
        p.add_flag("verbose", "v", "Verbose output")
        p.add_option("output", "o", "Output file", "out.txt")
        p.add_positional("input", "Input file", True)
        parsed = p.parse(["-v", "in.txt"])
        self.assertEqual((parsed.get("input"), parsed.get("output"), parsed.get_bool("verbose")),
                         ("in.txt", "out.txt", True))
        self.assertEqual(b.typeof(p), "ArgParser")
        with self.assertRaises(ValueError) as cm:
            p.parse(["--nope", "x"])
        self.assertEqual(str(cm.exception), "Unknown option: --nope")
        with self.assertRaises(ValueError):
            p.parse([])
        self.assertIn("  -v, --verbose         Verbose output", p.help())
        self.assertIsInstance(args.all(), list)

    def test_crypto(self):
        self.assertEqual(crypto.sha256("abc"),
                         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        self.assertEqual(crypto.md5("a", "s"), crypto.md5("sa"))
        self.assertEqual(crypto.uuid_from_string("x"), crypto.uuid_from_string("x"))
        self.assertEqual(len(crypto.random_hex(8)), 16)
        self.assertTrue(1 <= crypto.random_int(1, 6) <= 6)
        sig = crypto.hmac("m", "k")
        self.assertTrue(crypto.verify_hmac("m", sig, "k"))
        self.assertTrue(crypto.compare_hash("ab", "ab"))

    def test_csv(self):
        text = csv.write_string([{"name": "A", "age": 3}, {"name": "B", "age": 4}])
        self.assertEqual(text, "name,age\r\nA,3\r\nB,4\r\n")
        self.assertEqual(csv.read_string(text), [{"name": "A", "age": "3"}, {"name": "B", "age": "4"}])
        with support.TempDir() as d:
            p = os.path.join(d, "x.csv")
            csv.write(p, [["a", "b"], [1, 2]], ";", False)
            csv.append(p, [3, 4], ";")
            self.assertEqual(csv.read(p, ";", False), [["a", "b"], ["1", "2"], ["3", "4"]])
            self.assertEqual((csv.count_rows(p, ";"), csv.get_headers(p, ";")), (2, ["a", "b"]))

    def test_log(self):
        lg = log.create_logger("unit")
        self.assertEqual(out(lg.debug, "hidden"), "")
        text = out(lg.warn, "msg", {"k": 1})
        self.assertRegex(text, r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] WARNING: msg \| k=1\n$")
        lg.set_format("json")
        self.assertRegex(out(lg.info, "j"),
                         r'^\{"message": "j", "level": "INFO", "logger": "unit", "timestamp": ".*Z"\}\n$')
        lg.set_level("DEBUG")
        self.assertTrue(lg.is_debug())
        self.assertEqual(b.typeof(lg), "Logger")
        lg.set_level("nonsense")  # an unknown name is INFO
        self.assertFalse(lg.is_debug())
        with self.assertRaises(AttributeError) as cm:  # not a name: as in the reference
            lg.set_level(10)
        self.assertEqual(str(cm.exception), "'int' object has no attribute 'upper'")


if __name__ == "__main__":
    unittest.main()
