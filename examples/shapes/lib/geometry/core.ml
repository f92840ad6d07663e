// What every shape is made of. Imported by circle.ml and rect.ml (a diamond):
// its top-level code runs once and both see the same counter.
created = 0;

function shape(kind, name, area, perimeter) {
    nonlocal created;
    created = created + 1;
    return {kind: kind, name: name, area: area, perimeter: perimeter};
}
