// Formatting and summaries.
import collections;

function fmt(x) {
    return str(round(x, 2));
}

function describe(s) {
    return s.name + ": area " + fmt(s.area) + ", perimeter " + fmt(s.perimeter);
}

function largest(shapes) {
    by_area = collections.sortBy(shapes, fn(s) => s.area, true);
    return by_area[0];
}

function kinds(shapes) {
    return collections.unique(collections.map(shapes, fn(s) => s.kind));
}
