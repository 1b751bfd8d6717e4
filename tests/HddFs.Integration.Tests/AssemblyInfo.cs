// Each test class runs whole daemons and mounts: run them one at a time so timings stay meaningful
// on a 2-core CI machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
