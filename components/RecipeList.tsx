// The recipe picker. ink-select-input owns ↑/↓, j/k, 1-9 and enter while it is focused.
import React from 'react';
import { Box, Text } from 'ink';
import SelectInput from 'ink-select-input';

export interface RecipeChoice {
  name: string;
  description: string;
  /** Recipes the current diagnoses point at are marked, so the obvious fix is easy to spot. */
  suggested?: boolean;
}

export interface RecipeListProps {
  recipes: readonly RecipeChoice[];
  onSelect: (name: string) => void;
  isFocused?: boolean;
  /** Terminal columns: labels are cut to fit, since a wrapping label squeezes the list's pointer column. */
  width?: number;
}

function ItemRow({ isSelected = false, label }: { isSelected?: boolean; label: string }): React.JSX.Element {
  return (
    <Text color={isSelected ? 'cyan' : undefined} bold={isSelected} wrap="truncate-end">
      {label}
    </Text>
  );
}

function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function RecipeList({ recipes, onSelect, isFocused = true, width = 100 }: RecipeListProps): React.JSX.Element {
  const items = recipes.map((r) => ({
    key: r.name,
    value: r.name,
    label: fit(`${r.name.padEnd(24)} ${r.suggested ? '★' : ' '} ${r.description}`, width - 4),
  }));
  const anySuggested = recipes.some((r) => r.suggested);
  return (
    <Box flexDirection="column">
      <Text bold>Pick a recipe</Text>
      <SelectInput items={items} onSelect={(item) => onSelect(item.value)} isFocused={isFocused} itemComponent={ItemRow} />
      {anySuggested ? <Text dimColor>★ suggested by the diagnoses</Text> : null}
    </Box>
  );
}
