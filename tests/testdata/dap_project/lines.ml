// Several statements on one line, and statements written over several lines.
import geo.shapes as shapes;

a = 1; b = 2; c = 3;
d = shapes.rect(a,
    b);
e = shapes.area(d)
    + shapes.area(shapes.rect(c, c));
print(a + b + c, e);
