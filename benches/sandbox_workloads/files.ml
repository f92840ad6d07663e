// File reads and writes under a grant: every open goes through the audit hook.
import file;
file.write("bench-data.txt", "line\n");
n = 0;
for (i in range(0, 3000)) {
    n = n + len(file.read("bench-data.txt"));
}
file.delete("bench-data.txt");
print(n);
