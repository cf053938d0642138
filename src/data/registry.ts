import { cifar10Factory } from './cifar10';
import { fashionMnistFactory, mnistFactory } from './idx';
import { syntheticFactory } from './synthetic';
import type { DatasetFactory } from './types';

/** Every dataset by name; tests loop over every entry. */
export const DATASETS: Record<string, DatasetFactory> = {
  cifar10: cifar10Factory,
  'fashion-mnist': fashionMnistFactory,
  mnist: mnistFactory,
  synthetic: syntheticFactory,
};

export const DATASET_NAMES = Object.keys(DATASETS);
