// Each test starts its own cluster of silos with engine threads; run side by side on two cores they
// starve each other's liveness probes (2 s response timeouts), which the silo-loss test relies on.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
