#!/usr/bin/env node
// Committed entry point: npm links the `bench` bin at install time, before `tsc -b` has produced dist/.
import '../dist/bin.js';
