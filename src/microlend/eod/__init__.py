"""eod context: close of business (日终批处理): steps, runner, partitions."""
