"""Started once by scripts/setup.sh with spark-submit, so that the launcher's and the driver's
JVMs dump the classes a worker's start loads into class-data-sharing archives
(-XX:ArchiveClassesAtExit; see src/workers/jvm-cds.ts). It does what a worker's start does —
a SparkSession, with the UI on as in Haze's default context — and then runs a DataFrame job
and an RDD job with Python workers, so that the classes of a first job are archived too."""

from pyspark.sql import SparkSession


def main() -> None:
    spark = SparkSession.builder.config("spark.scheduler.mode", "FAIR").getOrCreate()
    spark.sparkContext.setJobGroup("haze-cds-warmup", "class-data-sharing warm-up", interruptOnCancel=True)
    assert spark.range(100).selectExpr("sum(id)").collect()[0][0] == 4950
    assert spark.sparkContext.parallelize(range(100), 2).map(lambda x: x * 2).sum() == 9900
    spark.stop()


if __name__ == "__main__":
    main()
