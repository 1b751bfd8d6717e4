// The throughput, loss and many-connection tests saturate the two CPUs of the CI machine; running test classes in
// parallel would turn timing into flakiness.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
