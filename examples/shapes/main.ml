// shapes: build a few shapes with user modules and report on them.
//
// Run it with:  cargo run --release -- run examples/shapes/main.ml

import json;
import geometry; // the package itself: lib/geometry/__init__.ml
import geometry.core;
import geometry.shapes.circle;
import geometry.shapes.rect as rect; // an aliased import
import report;

shapes = [
    geometry.shapes.circle.make(1.5),
    rect.make(2, 3),
    rect.square(2),
    geometry.shapes.circle.make(0.5)
];

print("Shapes (geometry " + geometry.version + ", lengths in " + geometry.unit + "):");
for (s in shapes) {
    print("  " + report.describe(s));
}

total = 0;
for (s in shapes) {
    total = total + s.area;
}
print("Total area: " + report.fmt(total) + " " + geometry.unit + "^2");

largest = report.largest(shapes);
print("Largest: " + largest.name + " (" + report.fmt(largest.area) + ")");

// circle.ml and rect.ml both import geometry.core: one instance, loaded once.
print("Shapes created: " + str(geometry.core.created));
print(json.stringify({count: len(shapes), kinds: report.kinds(shapes)}));
