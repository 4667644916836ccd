using Postmaster.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(PostgresCluster))]
