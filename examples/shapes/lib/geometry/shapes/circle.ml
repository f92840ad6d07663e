import math;
import geometry.core;

function make(radius) {
    area = math.pi * radius * radius;
    return geometry.core.shape("circle", "circle r=" + str(radius), area, 2 * math.pi * radius);
}
