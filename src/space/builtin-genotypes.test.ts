import { BUILTIN_GENOTYPE_NAMES, builtinGenotype, builtinGenotypeName } from './builtin-genotypes';
import { parseDartsString, validateDartsGenotype } from './genotype';

/** The reference lines, verbatim from the authors' genotypes.py files (see builtin-genotypes.ts). */
const REFERENCE: Record<string, string> = {
  DARTS_V1: "DARTS_V1 = Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])",
  DARTS_V2: "DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])",
  PC_DARTS: "PC_DARTS_cifar = Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), ('dil_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), ('dil_conv_3x3', 1)], normal_concat=range(2, 6), reduce=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], reduce_concat=range(2, 6))",
  PC_DARTS_IMAGENET: "PC_DARTS_image = Genotype(normal=[('skip_connect', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 0), ('skip_connect', 1), ('sep_conv_3x3', 1), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('dil_conv_5x5', 4)], normal_concat=range(2, 6), reduce=[('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_5x5', 2), ('max_pool_3x3', 1), ('sep_conv_3x3', 2), ('sep_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 3)], reduce_concat=range(2, 6))",
  PDARTS: "PDARTS = Genotype(normal=[('skip_connect', 0), ('dil_conv_3x3', 1), ('skip_connect', 0),('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('sep_conv_3x3', 3), ('sep_conv_3x3',0), ('dil_conv_5x5', 4)], normal_concat=range(2, 6), reduce=[('avg_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_3x3', 0), ('dil_conv_5x5', 2), ('max_pool_3x3', 0), ('dil_conv_3x3', 1), ('dil_conv_3x3', 1), ('dil_conv_5x5', 3)], reduce_concat=range(2, 6))",
};

describe('built-in genotypes', () => {
  it('are exactly the published cells', () => {
    expect([...BUILTIN_GENOTYPE_NAMES].sort()).toEqual(Object.keys(REFERENCE).sort());
    for (const name of BUILTIN_GENOTYPE_NAMES) expect(builtinGenotype(name)).toEqual(parseDartsString(REFERENCE[name]));
  });

  it('are valid DARTS genotypes', () => {
    for (const name of BUILTIN_GENOTYPE_NAMES) expect(() => validateDartsGenotype(builtinGenotype(name))).not.toThrow();
  });

  it('are found case-insensitively and by the reference aliases', () => {
    expect(builtinGenotypeName('darts_v2')).toBe('DARTS_V2');
    expect(builtinGenotypeName('DARTS')).toBe('DARTS_V2');
    expect(builtinGenotypeName('pcdarts')).toBe('PC_DARTS');
    expect(builtinGenotypeName('pc-darts')).toBe('PC_DARTS');
    expect(builtinGenotypeName('NASNet')).toBeUndefined();
    expect(builtinGenotype('nope')).toBeUndefined();
  });

  it('hands out copies', () => {
    const a = builtinGenotype('DARTS_V2')!;
    a.normal[0][0] = 'max_pool_3x3';
    a.normal_concat.pop();
    expect(builtinGenotype('DARTS_V2')!.normal[0][0]).toBe('sep_conv_3x3');
    expect(builtinGenotype('DARTS_V2')!.normal_concat).toEqual([2, 3, 4, 5]);
  });
});
