// Issue 11, class 1: an assignment that throws leaves the name unbound.
import collections;
try { [eval] = []; } except (e) { y = 1; }
collections.map(["__import__('socket').create_connection(('127.0.0.1', @PORT@))"], eval);
