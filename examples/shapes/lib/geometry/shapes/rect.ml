import geometry.core as core;

function make(width, height) {
    name = "rectangle " + str(width) + "x" + str(height);
    return core.shape("rectangle", name, width * height, 2 * (width + height));
}

function square(side) {
    s = make(side, side);
    s.kind = "square";
    s.name = "square " + str(side);
    return s;
}
