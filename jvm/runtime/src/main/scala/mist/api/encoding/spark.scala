package mist.api.encoding

/** Mist's `mist.api.encoding.spark._`: encoders of DataFrames and Datasets (their rows, as objects). */
package object spark extends SparkEncoderInstances
