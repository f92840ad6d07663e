// Member reads, method calls on values, dynamic calls of stored functions.
points = [];
for (i in range(0, 60000)) {
    points.append({x: i, y: i * 2, scale: fn(p, k) => p.x * k});
}
sum_x = 0;
for (p in points) {
    sum_x = sum_x + p.x + p.y + p.scale(p, 2);
}
words = [];
for (i in range(0, 30000)) {
    words.append("w" + str(i));
}
print(sum_x, len(" ".join(words).split(" ")));
