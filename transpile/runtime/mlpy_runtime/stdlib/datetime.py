"""datetime: dates, times, durations. `now()` is naive local time; any timezone argument
gives naive UTC. Objects: DateTimeObject, Date, Time, TimeDelta."""

import calendar as _cal
import datetime as _dt
import re as _re

from mlpy_runtime.capabilities import ml_function
from mlpy_runtime.objects import MLObject

__mlpy_runtime__ = True
ML_DESCRIPTION = "Date and time manipulation with timezone support"

_CREATE = ["datetime.create"]
_NOW = ["datetime.now"]


def _kind(value):
    """What `value` is, in ML's words (`typeof`), for an error message."""
    if value is None:
        return "null"
    from mlpy_runtime.builtins import typeof
    kind = typeof(value)
    return kind if kind != "unknown" else type(value).__name__


def _expect(value, classes, what, where):
    """`value` when it is one of `classes`; else a TypeError in ML's words. Without this
    check a wrong argument failed on a private field of the runtime's objects (`'Date'
    object has no attribute '_dt'`)."""
    if isinstance(value, classes):
        return value
    raise TypeError("%s expects %s, got %s" % (where, what, _kind(value)))


def _delta_of(value, where):
    """The Python timedelta of a TimeDelta argument."""
    return _expect(value, TimeDelta, "a TimeDelta", where)._delta


def _moment_of(value, where):
    """The Python datetime of a DateTimeObject argument."""
    return _expect(value, DateTimeObject, "a DateTimeObject", where)._dt


def _day_of(value, where):
    """The calendar day of a Date or a DateTimeObject argument, as a Python date."""
    value = _expect(value, (Date, DateTimeObject), "a Date or a DateTimeObject", where)
    return value._date if isinstance(value, Date) else value._dt.date()


class TimeDelta(MLObject):
    """A duration."""

    ml_description = "Time delta representing duration"
    _ml_method_descriptions = {
        "days": "Get days", "seconds": "Get seconds", "totalSeconds": "Get total seconds",
        "totalMinutes": "Get total minutes", "totalHours": "Get total hours",
        "totalDays": "Get total days", "add": "Add two timedeltas",
        "subtract": "Subtract timedelta from this one", "multiply": "Multiply timedelta by scalar",
        "isNegative": "Check if timedelta is negative", "abs": "Get absolute value of timedelta",
    }
    __slots__ = ("_delta",)

    def __init__(self, delta):
        self._delta = delta

    def days(self):
        """Whole days."""
        return self._delta.days

    def seconds(self):
        """Seconds part (0-86399)."""
        return self._delta.seconds

    def totalSeconds(self):
        """Whole duration in seconds."""
        return self._delta.total_seconds()

    def totalMinutes(self):
        """Whole duration in minutes."""
        return self._delta.total_seconds() / 60.0

    def totalHours(self):
        """Whole duration in hours."""
        return self._delta.total_seconds() / 3600.0

    def totalDays(self):
        """Whole duration in days."""
        return self._delta.total_seconds() / 86400.0

    def add(self, other):
        """Sum of two durations."""
        return TimeDelta(self._delta + _delta_of(other, "TimeDelta.add()"))

    def subtract(self, other):
        """Difference of two durations."""
        return TimeDelta(self._delta - _delta_of(other, "TimeDelta.subtract()"))

    def multiply(self, factor):
        """Duration times a number."""
        if factor.__class__ not in (int, float, bool):
            raise TypeError("TimeDelta.multiply() expects a number, got %s" % _kind(factor))
        return TimeDelta(_dt.timedelta(seconds=self._delta.total_seconds() * factor))

    def isNegative(self):
        """Whether the duration is negative."""
        return self._delta.total_seconds() < 0

    def abs(self):
        """Absolute value of the duration."""
        return TimeDelta(-self._delta if self._delta.total_seconds() < 0 else self._delta)


class Time(MLObject):
    """A time of day."""

    ml_description = "Time object representing time of day"
    _ml_method_descriptions = {
        "hour": "Get hour", "minute": "Get minute", "second": "Get second",
    }
    __slots__ = ("_time",)

    def __init__(self, t):
        self._time = t

    def hour(self):
        """Hour (0-23)."""
        return self._time.hour

    def minute(self):
        """Minute (0-59)."""
        return self._time.minute

    def second(self):
        """Second (0-59)."""
        return self._time.second


class Date(MLObject):
    """A calendar date."""

    ml_description = "Date object representing calendar date"
    _ml_method_descriptions = {
        "year": "Get year", "month": "Get month", "day": "Get day", "weekday": "Get weekday",
        "isWeekend": "Check if weekend", "toISOString": "Format as ISO string",
        "addDays": "Add days to date", "subtractDays": "Subtract days from date",
        "diff": "Get difference in days between dates",
    }
    __slots__ = ("_date",)

    def __init__(self, d):
        self._date = d

    def year(self):
        """Year."""
        return self._date.year

    def month(self):
        """Month (1-12)."""
        return self._date.month

    def day(self):
        """Day of month."""
        return self._date.day

    def weekday(self):
        """Day of week (0 = Monday)."""
        return self._date.weekday()

    def isWeekend(self):
        """Saturday or Sunday."""
        return self._date.weekday() >= 5

    def toISOString(self):
        """YYYY-MM-DD."""
        return self._date.isoformat()

    def addDays(self, days):
        """Date plus days."""
        return Date(self._date + _dt.timedelta(days=days))

    def subtractDays(self, days):
        """Date minus days."""
        return Date(self._date - _dt.timedelta(days=days))

    def diff(self, other):
        """Days between two dates."""
        return (self._date - _day_of(other, "Date.diff()")).days


class DateTimeObject(MLObject):
    """A date and time."""

    ml_description = "Date and time object with manipulation methods"
    _ml_method_descriptions = {
        "timestamp": "Get Unix timestamp", "year": "Get year component",
        "month": "Get month component", "day": "Get day component", "hour": "Get hour component",
        "minute": "Get minute component", "second": "Get second component",
        "weekday": "Get weekday", "addDays": "Add days to datetime",
        "addHours": "Add hours to datetime", "addMinutes": "Add minutes to datetime",
        "addSeconds": "Add seconds to datetime", "startOfDay": "Get start of day",
        "endOfDay": "Get end of day", "startOfMonth": "Get start of month",
        "endOfMonth": "Get end of month", "startOfYear": "Get start of year",
        "endOfYear": "Get end of year", "isSameDay": "Check if same day as another datetime",
        "format": "Format datetime as string", "toString": "Get string representation",
        "toISOString": "Format as ISO string", "date": "Extract date component",
        "time": "Extract time component", "diff": "Get difference between datetimes",
        "add": "Add timedelta to datetime", "subtract": "Subtract timedelta from datetime",
        "isBefore": "Check if before another datetime",
        "isAfter": "Check if after another datetime",
        "isSame": "Check if same as another datetime", "add_days": "Add days (snake_case alias)",
        "add_hours": "Add hours (snake_case alias)",
        "add_minutes": "Add minutes (snake_case alias)",
        "add_seconds": "Add seconds (snake_case alias)",
        "start_of_day": "Start of day (snake_case alias)",
        "end_of_day": "End of day (snake_case alias)",
        "start_of_month": "Start of month (snake_case alias)",
        "end_of_month": "End of month (snake_case alias)",
        "start_of_year": "Start of year (snake_case alias)",
        "end_of_year": "End of year (snake_case alias)",
        "is_same_day": "Same day check (snake_case alias)",
        "to_string": "String representation (snake_case alias)",
    }
    __slots__ = ("_dt",)

    def __init__(self, d):
        self._dt = d

    def timestamp(self):
        """Unix timestamp (seconds)."""
        return self._dt.timestamp()

    def year(self):
        """Year."""
        return self._dt.year

    def month(self):
        """Month (1-12)."""
        return self._dt.month

    def day(self):
        """Day of month."""
        return self._dt.day

    def hour(self):
        """Hour (0-23)."""
        return self._dt.hour

    def minute(self):
        """Minute (0-59)."""
        return self._dt.minute

    def second(self):
        """Second (0-59)."""
        return self._dt.second

    def weekday(self):
        """Day of week (0 = Monday)."""
        return self._dt.weekday()

    def addDays(self, days):
        """Plus days."""
        return DateTimeObject(self._dt + _dt.timedelta(days=days))

    def addHours(self, hours):
        """Plus hours."""
        return DateTimeObject(self._dt + _dt.timedelta(hours=hours))

    def addMinutes(self, minutes):
        """Plus minutes."""
        return DateTimeObject(self._dt + _dt.timedelta(minutes=minutes))

    def addSeconds(self, seconds):
        """Plus seconds."""
        return DateTimeObject(self._dt + _dt.timedelta(seconds=seconds))

    def add(self, delta):
        """Plus a TimeDelta."""
        return DateTimeObject(self._dt + _delta_of(delta, "DateTimeObject.add()"))

    def subtract(self, delta):
        """Minus a TimeDelta."""
        return DateTimeObject(self._dt - _delta_of(delta, "DateTimeObject.subtract()"))

    def diff(self, other):
        """This minus other, as a TimeDelta."""
        return TimeDelta(self._dt - _moment_of(other, "DateTimeObject.diff()"))

    def startOfDay(self):
        """00:00:00 of this day."""
        return DateTimeObject(self._dt.replace(hour=0, minute=0, second=0, microsecond=0))

    def endOfDay(self):
        """23:59:59.999999 of this day."""
        return DateTimeObject(self._dt.replace(hour=23, minute=59, second=59, microsecond=999999))

    def startOfMonth(self):
        """First moment of this month."""
        return DateTimeObject(self._dt.replace(day=1, hour=0, minute=0, second=0, microsecond=0))

    def endOfMonth(self):
        """Last moment of this month."""
        last = _cal.monthrange(self._dt.year, self._dt.month)[1]
        return DateTimeObject(self._dt.replace(day=last, hour=23, minute=59, second=59,
                                               microsecond=999999))

    def startOfYear(self):
        """First moment of this year."""
        return DateTimeObject(self._dt.replace(month=1, day=1, hour=0, minute=0, second=0,
                                               microsecond=0))

    def endOfYear(self):
        """Last moment of this year."""
        return DateTimeObject(self._dt.replace(month=12, day=31, hour=23, minute=59, second=59,
                                               microsecond=999999))

    def isSameDay(self, other):
        """Same calendar day."""
        return self._dt.date() == _day_of(other, "DateTimeObject.isSameDay()")

    def isBefore(self, other):
        """Earlier than other."""
        return self._dt < _moment_of(other, "DateTimeObject.isBefore()")

    def isAfter(self, other):
        """Later than other."""
        return self._dt > _moment_of(other, "DateTimeObject.isAfter()")

    def isSame(self, other):
        """Same moment."""
        return self._dt == _moment_of(other, "DateTimeObject.isSame()")

    def format(self, fmt="%Y-%m-%d %H:%M:%S"):
        """strftime formatting."""
        return _strftime(self._dt, fmt)

    def toString(self):
        """ISO text."""
        return self._dt.isoformat()

    def toISOString(self):
        """ISO text."""
        return self._dt.isoformat()

    def date(self):
        """The Date part."""
        return Date(self._dt.date())

    def time(self):
        """The Time part."""
        return Time(self._dt.time())

    # snake_case aliases
    def add_days(self, days):
        """Alias of addDays."""
        return self.addDays(days)

    def add_hours(self, hours):
        """Alias of addHours."""
        return self.addHours(hours)

    def add_minutes(self, minutes):
        """Alias of addMinutes."""
        return self.addMinutes(minutes)

    def add_seconds(self, seconds):
        """Alias of addSeconds."""
        return self.addSeconds(seconds)

    def start_of_day(self):
        """Alias of startOfDay."""
        return self.startOfDay()

    def end_of_day(self):
        """Alias of endOfDay."""
        return self.endOfDay()

    def start_of_month(self):
        """Alias of startOfMonth."""
        return self.startOfMonth()

    def end_of_month(self):
        """Alias of endOfMonth."""
        return self.endOfMonth()

    def start_of_year(self):
        """Alias of startOfYear."""
        return self.startOfYear()

    def end_of_year(self):
        """Alias of endOfYear."""
        return self.endOfYear()

    def is_same_day(self, other):
        """Alias of isSameDay."""
        return self.isSameDay(other)

    def to_string(self):
        """Alias of toString."""
        return self.toString()


def _utcnow():
    return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)


@ml_function("Get current datetime", _NOW)
def now(timezone=None):
    if timezone is not None:
        return DateTimeObject(_utcnow())
    return DateTimeObject(_dt.datetime.now())


@ml_function("Get today's date", _NOW)
def today():
    return Date(_dt.date.today())


@ml_function("Create datetime from components", _CREATE)
def create(year, month, day, hour=0, minute=0, second=0):
    try:
        return DateTimeObject(_dt.datetime(year, month, day, hour, minute, second))
    except ValueError as e:  # a wrong type is Python's TypeError, as in the reference
        raise RuntimeError("Invalid datetime components: %s" % e) from None


@ml_function("Create date from components", _CREATE)
def createDate(year, month, day):
    try:
        return Date(_dt.date(year, month, day))
    except ValueError as e:
        raise RuntimeError("Invalid date: %s" % e) from None


@ml_function("Create time from components", _CREATE)
def createTime(hour=0, minute=0, second=0, microsecond=0):
    try:
        return Time(_dt.time(hour, minute, second, microsecond))
    except ValueError as e:
        raise RuntimeError("Invalid time: %s" % e) from None


@ml_function("Create time delta", _CREATE)
def createDelta(days=0, hours=0, minutes=0, seconds=0):
    return TimeDelta(_dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds))


@ml_function("Create datetime from timestamp", _CREATE)
def fromTimestamp(timestamp):
    try:
        return DateTimeObject(_dt.datetime.fromtimestamp(timestamp))
    except (ValueError, OSError) as e:
        raise RuntimeError("Invalid timestamp %s: %s" % (timestamp, e)) from None


def _colon_offset(value):
    """`%:z`: the UTC offset as +HH:MM[:SS[.ffffff]], empty for a naive datetime."""
    offset = value.utcoffset()
    if offset is None:
        return ""
    sign = "-" if offset < _dt.timedelta(0) else "+"
    offset = abs(offset)
    hours, rest = divmod(offset, _dt.timedelta(hours=1))
    minutes, rest = divmod(rest, _dt.timedelta(minutes=1))
    text = "%s%02d:%02d" % (sign, hours, minutes)
    if rest.seconds or rest.microseconds:
        text += ":%02d" % rest.seconds
        if rest.microseconds:
            text += ".%06d" % rest.microseconds
    return text


def _strftime(value, fmt):
    """`strftime` with `%:z` on every Python (CPython 3.12 added it; before, the C library
    left it as written)."""
    if isinstance(fmt, str) and "%:z" in fmt:  # other values: strftime's own refusal
        fmt = _re.sub(r"%(%|:z)", lambda m: "%%" if m.group(1) == "%" else _colon_offset(value),
                      fmt)
    return value.strftime(fmt)


#: ISO 8601 as `datetime.fromisoformat` reads it since CPython 3.11 (3.9 and 3.10 read only
#: YYYY-MM-DD[*HH[:MM[:SS[.fff[fff]]]][+HH:MM[:SS[.ffffff]]]]): basic and extended dates,
#: ISO week dates, any single separator character, fractions of any length (`.` or `,`),
#: `Z` and offsets with or without colons.
_ISO = _re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})-(?P<day>\d{2})|(?P<bmonth>\d{2})(?P<bday>\d{2})"
    r"|-?W(?P<week>\d{2})(?:-?(?P<wday>\d))?)"
    r"(?:.(?P<hour>\d{2})(?::?(?P<minute>\d{2})(?::?(?P<second>\d{2})"
    r"(?:[.,](?P<fraction>\d+))?)?)?"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?)?)?", _re.ASCII | _re.DOTALL)
_ISO_OFFSET = _re.compile(r"([+-])(\d{2}):?(\d{2})?:?(\d{2})?(?:[.,](\d+))?", _re.ASCII)


def _micro(digits):
    return int((digits or "0")[:6].ljust(6, "0"))


def _from_iso(text):
    """The datetime an ISO 8601 string names, by CPython 3.11's rules on every version."""
    if not isinstance(text, str):
        raise TypeError("fromisoformat: argument must be str")
    m = _ISO.fullmatch(text)
    if m is None:
        raise ValueError("Invalid isoformat string: %r" % (text,))
    g = m.groupdict()
    year = int(g["year"])
    if g["week"] is not None:
        try:
            day = _dt.date.fromisocalendar(year, int(g["week"]), int(g["wday"] or 1))
        except ValueError:
            raise ValueError("Invalid isoformat string: %r" % (text,)) from None
        year, month, mday = day.year, day.month, day.day
    else:
        month = int(g["month"] or g["bmonth"])
        mday = int(g["day"] or g["bday"])
    tz = None
    if g["tz"] == "Z":
        tz = _dt.timezone.utc
    elif g["tz"]:
        sign, hh, mm, ss, frac = _ISO_OFFSET.fullmatch(g["tz"]).groups()
        offset = _dt.timedelta(hours=int(hh), minutes=int(mm or 0), seconds=int(ss or 0),
                               microseconds=_micro(frac) if frac else 0)
        tz = _dt.timezone(-offset if sign == "-" else offset)
    return _dt.datetime(year, month, mday, int(g["hour"] or 0), int(g["minute"] or 0),
                        int(g["second"] or 0), _micro(g["fraction"]), tz)


@ml_function("Parse ISO 8601 datetime string", _CREATE)
def parseISO(iso_string):
    try:
        return DateTimeObject(_from_iso(iso_string))
    except ValueError as e:
        raise RuntimeError("Invalid ISO datetime string '%s': %s" % (iso_string, e)) from None


@ml_function("Create custom timezone", _CREATE)
def createTimeZone(hours, minutes=0, name=""):
    return {"hours": hours, "minutes": minutes,
            "name": name or "UTC%+d:%02d" % (hours, minutes)}


@ml_function("Calculate age in years", _CREATE)
def calculateAge(birth_date, current_date=None):
    b = _day_of(birth_date, "datetime.calculateAge()")
    c = _dt.date.today() if current_date is None else _day_of(current_date,
                                                               "datetime.calculateAge()")
    age = c.year - b.year
    if (c.month, c.day) < (b.month, b.day):
        age -= 1
    return age


@ml_function("Add business days to datetime", _CREATE)
def addBusinessDays(dt_obj, days):
    # a Date gives a Date, a DateTimeObject a DateTimeObject at the same time of day
    _expect(dt_obj, (Date, DateTimeObject), "a Date or a DateTimeObject",
            "datetime.addBusinessDays()")
    if days == 0:
        return dt_obj
    d = dt_obj._date if isinstance(dt_obj, Date) else dt_obj._dt
    step = 1 if days > 0 else -1
    remaining = abs(days)
    while remaining > 0:
        d += _dt.timedelta(days=step)
        if d.weekday() < 5:
            remaining -= 1
    return Date(d) if isinstance(dt_obj, Date) else DateTimeObject(d)


@ml_function("Count business days between dates")
def businessDaysBetween(start, end):
    s = _day_of(start, "datetime.businessDaysBetween()")
    e = _day_of(end, "datetime.businessDaysBetween()")
    if s > e:
        s, e = e, s
    count = 0
    while s <= e:
        if s.weekday() < 5:
            count += 1
        s += _dt.timedelta(days=1)
    return count


@ml_function("Get days in month")
def daysInMonth(year, month):
    try:
        return _cal.monthrange(year, month)[1]
    except ValueError:
        return 0


@ml_function("Check if year is a leap year")
def isLeapYear(year):
    return _cal.isleap(year)


@ml_function("Check if date is weekend")
def isWeekend(dt_obj):
    return _day_of(dt_obj, "datetime.isWeekend()").weekday() >= 5


@ml_function("Check if date is weekday")
def isWeekday(dt_obj):
    return _day_of(dt_obj, "datetime.isWeekday()").weekday() < 5


@ml_function("Get UTC timezone marker")
def utc():
    return "UTC"


@ml_function("Create datetime (snake_case alias)", _CREATE)
def from_timestamp(timestamp):
    return fromTimestamp(timestamp)


@ml_function("Days in month (snake_case alias)")
def days_in_month(year, month):
    return daysInMonth(year, month)


@ml_function("Calculate age (snake_case alias)", _CREATE)
def calculate_age(birth_date, current_date=None):
    return calculateAge(birth_date, current_date)


@ml_function("Add business days (snake_case alias)", _CREATE)
def add_business_days(dt_obj, days):
    return addBusinessDays(dt_obj, days)


@ml_function("Business days between (snake_case alias)")
def business_days_between(start, end):
    return businessDaysBetween(start, end)


@ml_function("Check weekend (snake_case alias)")
def is_weekend(dt_obj):
    return isWeekend(dt_obj)


@ml_function("Check weekday (snake_case alias)")
def is_weekday(dt_obj):
    return isWeekday(dt_obj)


__all__ = [
    "now", "today", "create", "createDate", "createTime", "createDelta", "fromTimestamp",
    "parseISO", "createTimeZone", "calculateAge", "addBusinessDays", "businessDaysBetween",
    "daysInMonth", "isLeapYear", "isWeekend", "isWeekday", "utc", "from_timestamp",
    "days_in_month", "calculate_age", "add_business_days", "business_days_between",
    "is_weekend", "is_weekday",
]
