f = fn(x) => {
    if (x) { y = 1; } // comment
    return -1;
};
