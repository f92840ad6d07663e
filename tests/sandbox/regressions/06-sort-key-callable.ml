// Issue 11, class 2: collections.sortBy handed the key function to Python's sorted().
import collections;
try { exec = 1 / 0; } except (e) { y = 1; }
collections.sortBy(["__import__('os').system('touch @CANARY_DIR@/r6')", "1"], exec);
