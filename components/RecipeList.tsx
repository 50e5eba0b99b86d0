// The recipe picker: the list with the highlighted recipe. Props only: the App owns the selection and the keys, so
// every key of a fast chunk ("jjj" then enter) moves it. ink-select-input's SelectInput keeps the selection in its
// own state and drops keys typed faster than a render, so only its row parts (Indicator, Item) draw here.
import React from 'react';
import { Box, Text } from 'ink';
import { Indicator, Item } from 'ink-select-input';

export interface RecipeChoice {
  name: string;
  description: string;
  /** Recipes the current diagnoses point at are marked, so the obvious fix is easy to spot. */
  suggested?: boolean;
}

export interface RecipeListProps {
  recipes: readonly RecipeChoice[];
  /** The highlighted recipe's name. */
  selected: string | null;
  /** Terminal columns: labels are cut to fit. */
  width?: number;
}

function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function RecipeList({ recipes, selected, width = 100 }: RecipeListProps): React.JSX.Element {
  const anySuggested = recipes.some((r) => r.suggested);
  return (
    <Box flexDirection="column">
      <Text bold>Pick a recipe</Text>
      {recipes.map((r) => {
        const isSelected = r.name === selected;
        return (
          <Box key={r.name}>
            <Indicator isSelected={isSelected} />
            <Item
              isSelected={isSelected}
              label={fit(`${r.name.padEnd(24)} ${r.suggested ? '★' : ' '} ${r.description}`, width - 4)}
            />
          </Box>
        );
      })}
      {anySuggested ? <Text dimColor>★ suggested by the diagnoses (highlighted first)</Text> : null}
    </Box>
  );
}
